package dev.seqpredict.model;

/** A model artifact that cannot be loaded; the message says exactly what is wrong with it. */
public class ModelFormatException extends Exception {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.seqpredict.security;

/** A key or signature that cannot be parsed (bad PEM, bad base64, wrong length or algorithm); the message says what. */
public class SignatureFormatException extends Exception {
    public SignatureFormatException(String message) {
        super(message);
    }

    public SignatureFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

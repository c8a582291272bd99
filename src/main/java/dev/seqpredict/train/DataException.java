package dev.seqpredict.train;

/** Input data that cannot be trained or evaluated on; the message says what and where. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.seqpredict.processor;

/** A record that was not predicted, with its reason and a human-readable detail. */
public record Rejection(RejectReason reason, String detail) {
    @Override
    public String toString() {
        return reason.id() + ": " + detail;
    }
}

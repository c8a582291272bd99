package dev.seqpredict.processor;

import java.util.Locale;

/**
 * Why an input record was not predicted. The id is what the dead-letter header
 * {@code seqpredict.reason} and the metric tag {@code reason} carry.
 */
public enum RejectReason {
    /** No record key (the entity id). */
    MISSING_KEY,
    /** The record is larger than the configured maximum event size. */
    OVERSIZED,
    /** Not JSON, not an object, too deeply nested, or missing/duplicated fields. */
    MALFORMED,
    /** {@code ts} is neither epoch milliseconds nor an ISO-8601 instant. */
    BAD_TIMESTAMP,
    /** A value that must be a JSON number is not one (never coerced). */
    WRONG_TYPE,
    /** NaN, Infinity or a number outside float range. */
    NON_FINITE,
    /** The number of values differs from the model's input size. */
    WRONG_ARITY,
    /** An event id or name that is not in the model's vocabulary. */
    UNKNOWN_EVENT,
    /** A sensor event for a log model or the other way round. */
    WRONG_KIND,
    /** No model (yet) for this event under the configured selection rule. */
    NO_MODEL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.seqpredict.processor;

import java.nio.charset.StandardCharsets;

/**
 * The dead-letter contract, the same for every engine: a rejected record goes to the DLQ topic with its
 * original key and value bytes untouched, and these headers.
 */
public final class DeadLetter {
    /** The {@link RejectReason} id, e.g. {@code wrong_arity}. */
    public static final String REASON = "seqpredict.reason";
    /** A human-readable explanation. */
    public static final String DETAIL = "seqpredict.detail";
    public static final String SOURCE_TOPIC = "seqpredict.source.topic";
    public static final String SOURCE_PARTITION = "seqpredict.source.partition";
    public static final String SOURCE_OFFSET = "seqpredict.source.offset";
    /** Longest detail header written (a hostile record must not make the DLQ record huge). */
    public static final int MAX_DETAIL_CHARS = 512;

    private DeadLetter() {
    }

    public static byte[] detailBytes(String detail) {
        String d = detail == null ? "" : detail;
        if (d.length() > MAX_DETAIL_CHARS) {
            d = d.substring(0, MAX_DETAIL_CHARS) + "…";
        }
        return d.getBytes(StandardCharsets.UTF_8);
    }
}

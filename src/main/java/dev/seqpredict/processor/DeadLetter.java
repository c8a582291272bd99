package dev.seqpredict.processor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dead-letter contract, the same for every engine: a rejected record goes to the DLQ topic with its
 * original key and value bytes untouched, and these headers; only a key or value beyond the job's size
 * limits is cut to the limit (see {@link Payload}), its original size in a header.
 */
public final class DeadLetter {
    /** The {@link RejectReason} id, e.g. {@code wrong_arity}. */
    public static final String REASON = "seqpredict.reason";
    /** A human-readable explanation. */
    public static final String DETAIL = "seqpredict.detail";
    public static final String SOURCE_TOPIC = "seqpredict.source.topic";
    public static final String SOURCE_PARTITION = "seqpredict.source.partition";
    public static final String SOURCE_OFFSET = "seqpredict.source.offset";
    /** Set when the dead letter's value was cut to the event size limit: the original value's size in bytes. */
    public static final String VALUE_BYTES = "seqpredict.value.bytes";
    /** Set when the dead letter's key was cut to the key size limit: the original key's size in bytes. */
    public static final String KEY_BYTES = "seqpredict.key.bytes";
    /** Set when original headers were left off the dead letter (their total passed the event size limit): how many. */
    public static final String HEADERS_DROPPED = "seqpredict.headers.dropped";
    /** Longest detail header written (a hostile record must not make the DLQ record huge). */
    public static final int MAX_DETAIL_CHARS = 512;

    private DeadLetter() {
    }

    /**
     * The key and value a dead letter carries: the originals when within the job's limits, else their
     * first {@code limit} bytes, with the original sizes ({@code -1} = not cut) for the {@link #KEY_BYTES} /
     * {@link #VALUE_BYTES} headers. Only an oversized record exceeds the limits, and uncut its dead letter
     * (the original plus the reason headers) may exceed what the broker takes for the DLQ topic when the
     * original was just under it: the DLQ write would then fail the job instead of recording the reason.
     */
    public record Payload(byte[] key, byte[] value, int originalKeyBytes, int originalValueBytes) {
        public static Payload of(byte[] key, byte[] value, int maxKeyBytes, int maxValueBytes) {
            boolean cutKey = key != null && key.length > maxKeyBytes;
            boolean cutValue = value != null && value.length > maxValueBytes;
            return new Payload(cutKey ? Arrays.copyOf(key, maxKeyBytes) : key, cutValue ? Arrays.copyOf(value, maxValueBytes) : value,
                    cutKey ? key.length : -1, cutValue ? value.length : -1);
        }

        /** The headers that record a cut ({@link #KEY_BYTES}, {@link #VALUE_BYTES}), in that order; none when nothing was cut. */
        public Map<String, byte[]> cutHeaders() {
            Map<String, byte[]> h = new LinkedHashMap<>();
            if (originalKeyBytes >= 0) {
                h.put(KEY_BYTES, Integer.toString(originalKeyBytes).getBytes(StandardCharsets.UTF_8));
            }
            if (originalValueBytes >= 0) {
                h.put(VALUE_BYTES, Integer.toString(originalValueBytes).getBytes(StandardCharsets.UTF_8));
            }
            return h;
        }
    }

    public static byte[] detailBytes(String detail) {
        String d = detail == null ? "" : detail;
        if (d.length() > MAX_DETAIL_CHARS) {
            d = d.substring(0, MAX_DETAIL_CHARS) + "…";
        }
        return d.getBytes(StandardCharsets.UTF_8);
    }
}

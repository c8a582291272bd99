package dev.seqpredict.processor;

import dev.seqpredict.security.ModelSignature;
import java.util.function.Function;

/**
 * One record of the models topic as the registry sees it: the model name (record key), the artifact
 * bytes (record value; empty = withdraw) and the raw values of the signature headers
 * {@value ModelSignature#HEADER_KEY_ID} and {@value ModelSignature#HEADER_SIGNATURE} (null when absent).
 * The header values are untrusted bytes; the verifier parses them.
 *
 * <p>Engines that keep accepted artifacts in their own state should keep the whole record (with the
 * headers) and offer it again after a restore, so the signature is checked again against the keys
 * trusted at that time.
 */
public record PublishedModel(String name, byte[] artifact, byte[] keyIdHeader, byte[] signatureHeader) {

    /** An unsigned record (no signature headers). */
    public static PublishedModel unsigned(String name, byte[] artifact) {
        return new PublishedModel(name, artifact, null, null);
    }

    /**
     * A record read from a topic: {@code lastHeader} returns the value of the last header with a given
     * name, or null (e.g. {@code h -> record.headers().lastHeader(h) == null ? null : ...value()}).
     */
    public static PublishedModel fromRecord(String name, byte[] artifact, Function<String, byte[]> lastHeader) {
        return new PublishedModel(name, artifact, lastHeader.apply(ModelSignature.HEADER_KEY_ID),
                lastHeader.apply(ModelSignature.HEADER_SIGNATURE));
    }

    public boolean hasSignatureHeaders() {
        return keyIdHeader != null || signatureHeader != null;
    }

    private static final int ENVELOPE_MAGIC = 0x53504d31; // "SPM1"

    /**
     * The record as engines keep it in their own state (a Flink broadcast state, a Kafka Streams store):
     * {@code "SPM1"}, then the key-id header and the signature header (i32 length, -1 = absent, bytes),
     * then the artifact bytes to the end. Kept whole so the signature is checked again after a restore.
     */
    public byte[] encode() {
        int kl = keyIdHeader == null ? 0 : keyIdHeader.length;
        int sl = signatureHeader == null ? 0 : signatureHeader.length;
        int al = artifact == null ? 0 : artifact.length;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + kl + sl + al);
        b.putInt(ENVELOPE_MAGIC);
        b.putInt(keyIdHeader == null ? -1 : kl);
        if (keyIdHeader != null) {
            b.put(keyIdHeader);
        }
        b.putInt(signatureHeader == null ? -1 : sl);
        if (signatureHeader != null) {
            b.put(signatureHeader);
        }
        if (artifact != null) {
            b.put(artifact);
        }
        return b.array();
    }

    /** Reads {@link #encode()}'s form back; bytes without the envelope are taken as a bare, unsigned artifact. */
    public static PublishedModel decode(String name, byte[] stored) {
        if (stored == null || stored.length < 12 || java.nio.ByteBuffer.wrap(stored).getInt() != ENVELOPE_MAGIC) {
            return unsigned(name, stored);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(stored, 4, stored.length - 4);
        byte[] keyId = readPart(b);
        byte[] signature = readPart(b);
        byte[] artifact = new byte[b.remaining()];
        b.get(artifact);
        return new PublishedModel(name, artifact, keyId, signature);
    }

    private static byte[] readPart(java.nio.ByteBuffer b) {
        int n = b.getInt();
        if (n < -1 || n > b.remaining()) {
            throw new IllegalArgumentException("corrupt stored model record (part length " + n + ")");
        }
        if (n == -1) {
            return null;
        }
        byte[] part = new byte[n];
        b.get(part);
        return part;
    }
}

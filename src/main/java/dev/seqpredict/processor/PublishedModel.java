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
}

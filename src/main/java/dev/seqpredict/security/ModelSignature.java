package dev.seqpredict.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A detached Ed25519 signature of a model artifact: which key signed ({@link #keyId}) and the 64-byte
 * signature over the SHA-256 digest of the artifact's bytes. The artifact itself is never changed, so
 * its SHA-256 identity (what {@code inspect} prints and the registry compares) stays the same.
 *
 * <p>Two encodings: the {@code <model>.sig} file ({@link #toFileText()}), and two Kafka record headers
 * on the models topic, {@value #HEADER_KEY_ID} (the key id, UTF-8) and {@value #HEADER_SIGNATURE}
 * (the signature, base64).
 */
public record ModelSignature(String keyId, byte[] signature) {

    public static final String HEADER_SIGNATURE = "seqpredict.signature";
    public static final String HEADER_KEY_ID = "seqpredict.key-id";
    public static final String FILE_SUFFIX = ".sig";
    public static final int SIGNATURE_BYTES = 64;
    /** A signature file is ~150 bytes; anything far larger is not one. */
    public static final int MAX_FILE_BYTES = 4096;
    private static final String FILE_MAGIC = "seqpredict-signature v1";
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");

    public ModelSignature {
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public String signatureBase64() {
        return Base64.getEncoder().encodeToString(signature);
    }

    /** The signature file: a magic line, then {@code algorithm}, {@code key-id} and {@code signature} lines. */
    public String toFileText() {
        return FILE_MAGIC + "\n"
                + "algorithm: " + Keys.ALGORITHM + "\n"
                + "key-id: " + keyId + "\n"
                + "signature: " + signatureBase64() + "\n";
    }

    /** Parses the two header values (either may be null when the header is absent: see {@link SignatureVerifier}). */
    public static ModelSignature fromHeaders(String keyId, String signatureBase64) throws SignatureFormatException {
        if (keyId == null || signatureBase64 == null) {
            throw new SignatureFormatException("header " + (keyId == null ? HEADER_KEY_ID : HEADER_SIGNATURE)
                    + " is missing (both " + HEADER_KEY_ID + " and " + HEADER_SIGNATURE + " are needed)");
        }
        return of(keyId.trim(), signatureBase64.trim());
    }

    /** Parses header values given as raw bytes (as Kafka hands them over). */
    public static ModelSignature fromHeaders(byte[] keyId, byte[] signatureBase64) throws SignatureFormatException {
        return fromHeaders(keyId == null ? null : new String(keyId, StandardCharsets.UTF_8),
                signatureBase64 == null ? null : new String(signatureBase64, StandardCharsets.UTF_8));
    }

    public static ModelSignature parseFile(String text) throws SignatureFormatException {
        if (text == null || text.isBlank()) {
            throw new SignatureFormatException("empty signature file");
        }
        if (text.length() > MAX_FILE_BYTES) {
            throw new SignatureFormatException("signature file larger than " + MAX_FILE_BYTES + " characters");
        }
        String[] lines = text.strip().split("\r?\n");
        if (!lines[0].strip().equals(FILE_MAGIC)) {
            throw new SignatureFormatException("not a seqpredict signature file (first line must be '" + FILE_MAGIC + "')");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new SignatureFormatException("line " + (i + 1) + " is not 'name: value'");
            }
            String name = line.substring(0, colon).strip();
            if (!name.equals("algorithm") && !name.equals("key-id") && !name.equals("signature")) {
                throw new SignatureFormatException("line " + (i + 1) + ": unknown field '" + shorten(name) + "'");
            }
            if (fields.put(name, line.substring(colon + 1).strip()) != null) {
                throw new SignatureFormatException("field '" + name + "' appears twice");
            }
        }
        String algorithm = fields.get("algorithm");
        if (algorithm == null || !algorithm.equals(Keys.ALGORITHM)) {
            throw new SignatureFormatException("algorithm must be " + Keys.ALGORITHM + ", got "
                    + (algorithm == null ? "none" : "'" + shorten(algorithm) + "'"));
        }
        if (!fields.containsKey("key-id") || !fields.containsKey("signature")) {
            throw new SignatureFormatException("missing field '" + (fields.containsKey("key-id") ? "signature" : "key-id") + "'");
        }
        return of(fields.get("key-id"), fields.get("signature"));
    }

    private static ModelSignature of(String keyId, String base64) throws SignatureFormatException {
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new SignatureFormatException("key id '" + shorten(keyId) + "' is not 16 lowercase hex digits");
        }
        if (base64.length() > 4 * SIGNATURE_BYTES) {
            throw new SignatureFormatException("signature is " + base64.length() + " characters, an "
                    + Keys.ALGORITHM + " signature is " + SIGNATURE_BYTES + " bytes of base64");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new SignatureFormatException("signature is not valid base64: " + e.getMessage());
        }
        if (sig.length != SIGNATURE_BYTES) {
            throw new SignatureFormatException("signature is " + sig.length + " bytes, an " + Keys.ALGORITHM
                    + " signature is " + SIGNATURE_BYTES);
        }
        return new ModelSignature(keyId, sig);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSignature m && m.keyId.equals(keyId) && java.util.Arrays.equals(m.signature, signature);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode() * 31 + java.util.Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "ModelSignature[keyId=" + keyId + ", signature=" + signatureBase64() + "]";
    }
}

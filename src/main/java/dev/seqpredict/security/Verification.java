package dev.seqpredict.security;

import java.util.Locale;

/** The outcome of checking a model's signature: a status (its id is the precise reason) and a detail. */
public record Verification(Status status, String keyId, String detail) {

    public enum Status {
        /** Signed by a trusted key, and the signature matches the artifact. */
        VERIFIED,
        /** No signature at all (no {@code .sig} file, no signature headers). */
        UNSIGNED,
        /** A well-formed signature by a key that is not among the trusted keys. */
        UNKNOWN_KEY,
        /** A trusted key id, but the signature does not match the artifact's bytes (tampered or wrong key). */
        BAD_SIGNATURE,
        /** The signature or its headers cannot be parsed (bad base64, wrong length, bad key id, half the headers). */
        MALFORMED_SIGNATURE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean verified() {
        return status == Status.VERIFIED;
    }

    /** {@code reason: detail}, e.g. {@code bad_signature: ...}. */
    @Override
    public String toString() {
        return status.id() + ": " + detail;
    }
}

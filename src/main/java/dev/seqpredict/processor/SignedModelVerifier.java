package dev.seqpredict.processor;

import dev.seqpredict.security.SignatureVerifier;
import dev.seqpredict.security.Verification;

/**
 * The registry's verifier when signature verification is on: a published model is accepted only when
 * its signature headers carry a valid Ed25519 signature by a trusted key. The problem it reports starts
 * with the precise reason ({@code unsigned}, {@code unknown_key}, {@code bad_signature},
 * {@code malformed_signature}); the registry rejects with reason {@code unverified}.
 */
public final class SignedModelVerifier implements ModelRegistry.ArtifactVerifier {

    private final SignatureVerifier verifier;

    public SignedModelVerifier(SignatureVerifier verifier) {
        this.verifier = verifier;
    }

    public SignatureVerifier signatures() {
        return verifier;
    }

    /** Without the record's headers there is no signature: always {@code unsigned}. */
    @Override
    public String problem(String name, byte[] artifact) {
        return problem(PublishedModel.unsigned(name, artifact));
    }

    @Override
    public String problem(PublishedModel published) {
        Verification v = verifier.verify(published.artifact(), published.keyIdHeader(), published.signatureHeader());
        return v.verified() ? null : v.toString();
    }
}

package dev.seqpredict.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.testing.ByteMutation;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Hostile signatures and headers: the verifier never throws, always gives a reason, and accepts only the signed bytes. */
class SignatureVerifierPropertiesTest {

    private static final KeyPair KEY = ModelSigner.generateKeyPair();
    private static final ModelSigner SIGNER = new ModelSigner(KEY);
    private static final SignatureVerifier VERIFIER = new SignatureVerifier(List.of(KEY.getPublic()));

    @Property(tries = 500)
    void randomHeadersAreRejectedWithAReason(@ForAll @Size(max = 300) byte[] artifact,
                                             @ForAll @Size(max = 64) byte[] keyId, @ForAll @Size(max = 400) byte[] signature,
                                             @ForAll boolean withKeyId, @ForAll boolean withSignature) {
        Verification v = VERIFIER.verify(artifact, withKeyId ? keyId : null, withSignature ? signature : null);
        assertThat(v.verified()).isFalse();
        assertThat(v.detail()).isNotBlank();
        if (!withKeyId && !withSignature) {
            assertThat(v.status()).isEqualTo(Verification.Status.UNSIGNED);
        }
    }

    @Property(tries = 500)
    void randomSignatureFilesAreRejectedWithAReason(@ForAll @Size(max = 300) byte[] artifact, @ForAll String text) {
        Verification v = VERIFIER.verifyFile(artifact, text);
        assertThat(v.verified()).isFalse();
        assertThat(v.toString()).matches("(malformed_signature|unknown_key|bad_signature): .+");
    }

    @Property(tries = 500)
    void onlyTheExactSignedBytesVerify(@ForAll @Size(max = 2000) byte[] artifact, @ForAll("mutations") List<ByteMutation> mutations) {
        ModelSignature sig = SIGNER.sign(artifact);
        assertThat(VERIFIER.verify(artifact, sig).verified()).isTrue();
        byte[] changed = artifact;
        for (ByteMutation m : mutations) {
            changed = m.apply(changed);
        }
        Verification v = VERIFIER.verify(changed, sig);
        assertThat(v.verified()).isEqualTo(Arrays.equals(changed, artifact));
        if (!v.verified()) {
            assertThat(v.status()).isEqualTo(Verification.Status.BAD_SIGNATURE);
        }
    }

    @Property(tries = 300)
    void mutatedSignatureFilesNeverVerifyAnotherArtifactAndNeverThrow(@ForAll @Size(min = 1, max = 500) byte[] artifact,
                                                                       @ForAll("mutations") List<ByteMutation> mutations) {
        byte[] text = SIGNER.sign(artifact).toFileText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (ByteMutation m : mutations) {
            text = m.apply(text);
        }
        byte[] other = artifact.clone();
        other[0] ^= 1;
        Verification v = VERIFIER.verifyFile(other, new String(text, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(v.verified()).isFalse();
        assertThat(v.detail()).isNotBlank();
    }

    @Provide
    Arbitrary<List<ByteMutation>> mutations() {
        return ByteMutation.lists();
    }
}

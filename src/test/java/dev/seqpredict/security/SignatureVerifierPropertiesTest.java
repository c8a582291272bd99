package dev.seqpredict.security;

import static dev.seqpredict.testing.RandomInputs.bool;
import static dev.seqpredict.testing.RandomInputs.bytes;
import static dev.seqpredict.testing.RandomInputs.forEachTry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.testing.ByteMutation;
import dev.seqpredict.testing.RandomInputs;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile signatures and headers: the verifier never throws, always gives a reason, and accepts only the
 * signed bytes. Each property runs a fixed number of tries over seeded random inputs ({@link RandomInputs}).
 */
class SignatureVerifierPropertiesTest {

    private static final long SEED = 0x5167_6E61_7475_7265L;
    private static final KeyPair KEY = ModelSigner.generateKeyPair();
    private static final ModelSigner SIGNER = new ModelSigner(KEY);
    private static final SignatureVerifier VERIFIER = new SignatureVerifier(List.of(KEY.getPublic()));

    @Test
    void randomHeadersAreRejectedWithAReason() {
        forEachTry("randomHeadersAreRejectedWithAReason", SEED, 500, r -> {
            byte[] artifact = bytes(r, 0, 300);
            byte[] keyId = bytes(r, 0, 64);
            byte[] signature = bytes(r, 0, 400);
            boolean withKeyId = bool(r);
            boolean withSignature = bool(r);
            Verification v = VERIFIER.verify(artifact, withKeyId ? keyId : null, withSignature ? signature : null);
            assertThat(v.verified()).isFalse();
            assertThat(v.detail()).isNotBlank();
            if (!withKeyId && !withSignature) {
                assertThat(v.status()).isEqualTo(Verification.Status.UNSIGNED);
            }
        });
    }

    @Test
    void randomSignatureFilesAreRejectedWithAReason() {
        forEachTry("randomSignatureFilesAreRejectedWithAReason", SEED + 1, 500, r -> {
            byte[] artifact = bytes(r, 0, 300);
            String text = r.nextInt(3) == 0 ? signatureLikeText(r) : RandomInputs.anyString(r, 255);
            Verification v = VERIFIER.verifyFile(artifact, text);
            assertThat(v.verified()).isFalse();
            assertThat(v.toString()).matches("(malformed_signature|unknown_key|bad_signature): .+");
        });
    }

    @Test
    void onlyTheExactSignedBytesVerify() {
        forEachTry("onlyTheExactSignedBytesVerify", SEED + 2, 500, r -> {
            byte[] artifact = bytes(r, 0, 2000);
            List<ByteMutation> mutations = ByteMutation.randomList(r);
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
        });
    }

    @Test
    void mutatedSignatureFilesNeverVerifyAnotherArtifactAndNeverThrow() {
        forEachTry("mutatedSignatureFilesNeverVerifyAnotherArtifactAndNeverThrow", SEED + 3, 300, r -> {
            byte[] artifact = bytes(r, 1, 500);
            List<ByteMutation> mutations = ByteMutation.randomList(r);
            byte[] text = SIGNER.sign(artifact).toFileText().getBytes(StandardCharsets.UTF_8);
            for (ByteMutation m : mutations) {
                text = m.apply(text);
            }
            byte[] other = artifact.clone();
            other[0] ^= 1;
            Verification v = VERIFIER.verifyFile(other, new String(text, StandardCharsets.UTF_8));
            assertThat(v.verified()).isFalse();
            assertThat(v.detail()).isNotBlank();
        });
    }

    /**
     * Text shaped like a signature file (so that it gets past the first line): the magic line, then some of
     * the fields with valid or random values, in any order, possibly repeated, with stray lines.
     */
    private static String signatureLikeText(Random r) {
        String keyId = r.nextBoolean() ? Keys.keyId(KEY.getPublic()) : HexFormat.of().formatHex(bytes(r, 8, 8));
        List<String> lines = new ArrayList<>();
        if (r.nextInt(4) != 0) {
            lines.add("algorithm: " + (r.nextInt(4) != 0 ? Keys.ALGORITHM : RandomInputs.alphaString(r, 0, 12)));
        }
        if (r.nextInt(4) != 0) {
            lines.add("key-id: " + (r.nextInt(4) != 0 ? keyId : RandomInputs.anyString(r, 40).replaceAll("[\\r\\n\\u0085\\u2028\\u2029]", "")));
        }
        if (r.nextInt(4) != 0) {
            lines.add("signature: " + (r.nextInt(4) != 0 ? Base64.getEncoder().encodeToString(bytes(r, 64, 64))
                    : Base64.getEncoder().encodeToString(bytes(r, 0, 400))));
        }
        int extra = r.nextInt(3);
        for (int i = 0; i < extra; i++) {
            lines.add(r.nextBoolean() ? lines.isEmpty() ? "" : lines.get(r.nextInt(lines.size()))
                    : RandomInputs.alphaString(r, 0, 10) + (r.nextBoolean() ? ": " + RandomInputs.alphaString(r, 0, 10) : ""));
        }
        Collections.shuffle(lines, r);
        String eol = r.nextBoolean() ? "\n" : "\r\n";
        return "seqpredict-signature v1" + eol + String.join(eol, lines) + (r.nextBoolean() ? eol : "");
    }
}

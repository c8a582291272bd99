package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.security.Keys;
import dev.seqpredict.security.ModelSignature;
import dev.seqpredict.security.ModelSigner;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry with signature verification configured through JobSettings, with real Ed25519 signatures. */
class SignedModelRegistryTest {

    private static final KeyPair TRUSTED = ModelSigner.generateKeyPair();
    private static final KeyPair STRANGER = ModelSigner.generateKeyPair();
    private static final byte[] V1 = ModelArtifact.toBytes(TestModels.regression(1, CellType.GRU, 2, 4, 1, "m", "1"));
    private static final byte[] V2 = ModelArtifact.toBytes(TestModels.regression(2, CellType.GRU, 2, 4, 1, "m", "2"));

    @TempDir
    Path dir;
    private JobSettings settings;
    private ModelRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        Files.writeString(keys.resolve("release.pem"), Keys.publicPem(TRUSTED.getPublic()));
        Properties p = new Properties();
        p.setProperty(JobSettings.MODEL_NAME, "m");
        p.setProperty(JobSettings.TRUSTED_KEYS, keys.toString());
        settings = JobSettings.fromProperties(p);
        registry = settings.newRegistry();
    }

    private static PublishedModel signed(KeyPair key, byte[] artifact) {
        ModelSignature s = new ModelSigner(key).sign(artifact);
        return headers("m", artifact, s.keyId(), s.signatureBase64());
    }

    private static PublishedModel headers(String name, byte[] artifact, String keyId, String sig) {
        Map<String, byte[]> h = new java.util.HashMap<>();
        if (keyId != null) {
            h.put(ModelSignature.HEADER_KEY_ID, keyId.getBytes(StandardCharsets.UTF_8));
        }
        if (sig != null) {
            h.put(ModelSignature.HEADER_SIGNATURE, sig.getBytes(StandardCharsets.UTF_8));
        }
        return PublishedModel.fromRecord(name, artifact, h::get);
    }

    @Test
    void verificationIsOnWhenTrustedKeysAreConfigured() {
        assertThat(settings.modelVerification()).isTrue();
        assertThat(settings.modelVerifier()).isInstanceOf(SignedModelVerifier.class);
        assertThat(JobSettings.fromProperties(new Properties()).modelVerification()).isFalse();
        assertThat(JobSettings.fromProperties(new Properties()).modelVerifier()).isSameAs(ModelRegistry.ArtifactVerifier.ACCEPT_ALL);
    }

    @Test
    void signedModelIsAcceptedAndSwappedForANewerSignedOne() {
        assertThat(registry.offer(signed(TRUSTED, V1))).isInstanceOf(ModelRegistry.Update.Accepted.class);
        assertThat(registry.offer(signed(TRUSTED, V2))).isInstanceOf(ModelRegistry.Update.Accepted.class);
        assertThat(registry.get("m").model().sha256()).isEqualTo(ModelArtifact.sha256Hex(V2));
    }

    @Test
    void unsignedModelIsRejectedAsUnverifiedAndTheCurrentModelStays() {
        registry.offer(signed(TRUSTED, V1));
        ModelRegistry.Update u = registry.offer("m", V2);   // the old two-argument API: no headers
        assertThat(u).isEqualTo(new ModelRegistry.Update.Rejected("m", "unverified", "unsigned: the model has no signature"));
        assertThat(registry.offer(PublishedModel.unsigned("m", V2))).isEqualTo(u);
        assertThat(registry.get("m").model().sha256()).isEqualTo(ModelArtifact.sha256Hex(V1));
    }

    @Test
    void everyBadSignatureIsUnverifiedWithItsPreciseReasonAndKeepsTheCurrentModel() {
        registry.offer(signed(TRUSTED, V1));
        ModelSignature good = new ModelSigner(TRUSTED).sign(V2);
        byte[] tampered = V2.clone();
        tampered[tampered.length - 1] ^= 1;
        assertRejected(headers("m", tampered, good.keyId(), good.signatureBase64()), "bad_signature: ");
        assertRejected(signed(STRANGER, V2), "unknown_key: ");
        assertRejected(headers("m", V2, good.keyId(), "%%%"), "malformed_signature: ");
        assertRejected(headers("m", V2, good.keyId(), null), "malformed_signature: ");
        // a valid signature of another artifact (replay of V1's signature with V2's bytes)
        ModelSignature v1sig = new ModelSigner(TRUSTED).sign(V1);
        assertRejected(headers("m", V2, v1sig.keyId(), v1sig.signatureBase64()), "bad_signature: ");
        assertThat(registry.get("m").model().sha256()).isEqualTo(ModelArtifact.sha256Hex(V1));
    }

    @Test
    void withdrawalNeedsASignatureTooWhenVerifying() {
        registry.offer(signed(TRUSTED, V1));
        ModelRegistry.Update u = registry.offer("m", new byte[0]);
        assertThat(u).isInstanceOf(ModelRegistry.Update.Rejected.class);
        assertThat(((ModelRegistry.Update.Rejected) u).detail()).startsWith("withdrawal: unsigned: ");
        assertThat(registry.get("m")).isNotNull();
        assertThat(registry.offer(signed(TRUSTED, new byte[0]))).isInstanceOf(ModelRegistry.Update.Removed.class);
        assertThat(registry.get("m")).isNull();
    }

    @Test
    void withoutVerificationUnsignedModelsAndWithdrawalsWorkAsBefore() {
        ModelRegistry open = JobSettings.fromProperties(new Properties()).newRegistry();
        assertThat(open.offer("m", V1)).isInstanceOf(ModelRegistry.Update.Accepted.class);
        assertThat(open.offer("m", new byte[0])).isInstanceOf(ModelRegistry.Update.Removed.class);
    }

    @Test
    void verificationCanBeSwitchedOffExplicitlyAndCannotBeOnWithoutKeys() {
        Properties p = settings.toProperties();
        assertThat(p.getProperty(JobSettings.TRUSTED_KEYS)).isEqualTo(settings.trustedKeys().get(0));
        p.setProperty(JobSettings.VERIFY_MODELS, "false");
        assertThat(JobSettings.fromProperties(p).newRegistry().offer("m", V1)).isInstanceOf(ModelRegistry.Update.Accepted.class);

        Properties on = new Properties();
        on.setProperty(JobSettings.VERIFY_MODELS, "true");
        assertThatThrownBy(() -> JobSettings.fromProperties(on)).hasMessageContaining("models.verify=true needs models.trusted.keys");
        on.setProperty(JobSettings.VERIFY_MODELS, "yes");
        assertThatThrownBy(() -> JobSettings.fromProperties(on)).hasMessageContaining("must be true or false");
        Properties missing = new Properties();
        missing.setProperty(JobSettings.TRUSTED_KEYS, dir.resolve("nope.pem") + ", " + dir.resolve("keys"));
        JobSettings s = JobSettings.fromProperties(missing);
        assertThat(s.trustedKeys()).hasSize(2);
        assertThatThrownBy(s::modelVerifier).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("models.trusted.keys").hasMessageContaining("nope.pem");
    }

    private void assertRejected(PublishedModel published, String detailPrefix) {
        ModelRegistry.Update u = registry.offer(published);
        assertThat(u).isInstanceOf(ModelRegistry.Update.Rejected.class);
        ModelRegistry.Update.Rejected r = (ModelRegistry.Update.Rejected) u;
        assertThat(r.reason()).isEqualTo("unverified");
        assertThat(r.detail()).startsWith(detailPrefix);
    }

}

package dev.seqpredict.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.security.Verification.Status;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignatureVerifierTest {

    private static final KeyPair TRUSTED = ModelSigner.generateKeyPair();
    private static final KeyPair OTHER = ModelSigner.generateKeyPair();
    private static final byte[] ARTIFACT = ModelArtifact.toBytes(TestModels.regression(5, CellType.LSTM, 2, 4, 1, "m", "1"));

    private final SignatureVerifier verifier = new SignatureVerifier(List.of(TRUSTED.getPublic()));

    @TempDir
    Path dir;

    @Test
    void signThenVerifyRoundTrips() {
        ModelSignature sig = new ModelSigner(TRUSTED).sign(ARTIFACT);
        assertThat(sig.keyId()).isEqualTo(Keys.keyId(TRUSTED.getPublic())).matches("[0-9a-f]{16}");
        assertThat(sig.signature()).hasSize(64);
        Verification v = verifier.verify(ARTIFACT, sig);
        assertThat(v.status()).isEqualTo(Status.VERIFIED);
        assertThat(v.keyId()).isEqualTo(sig.keyId());
    }

    @Test
    void signatureIsOverTheSha256SoItChecksWithPlainEd25519() throws Exception {
        ModelSignature sig = new ModelSigner(TRUSTED).sign(ARTIFACT);
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initVerify(TRUSTED.getPublic());
        s.update(java.security.MessageDigest.getInstance("SHA-256").digest(ARTIFACT));
        assertThat(s.verify(sig.signature())).isTrue();
    }

    @Test
    void everySingleFlippedByteIsABadSignature() {
        ModelSignature sig = new ModelSigner(TRUSTED).sign(ARTIFACT);
        for (int pos : new int[] {0, 7, 8, 100, ARTIFACT.length / 2, ARTIFACT.length - 1}) {
            byte[] tampered = ARTIFACT.clone();
            tampered[pos] ^= 0x01;
            Verification v = verifier.verify(tampered, sig);
            assertThat(v.status()).as("flip at %d", pos).isEqualTo(Status.BAD_SIGNATURE);
            assertThat(v.toString()).startsWith("bad_signature: ").contains(sig.keyId());
        }
        byte[] longer = java.util.Arrays.copyOf(ARTIFACT, ARTIFACT.length + 1);
        assertThat(verifier.verify(longer, sig).status()).isEqualTo(Status.BAD_SIGNATURE);
    }

    @Test
    void aFlippedSignatureBitIsABadSignature() {
        byte[] s = new ModelSigner(TRUSTED).sign(ARTIFACT).signature();
        for (int i : new int[] {0, 31, 32, 63}) {
            byte[] bad = s.clone();
            bad[i] ^= (byte) 0x80;
            assertThat(verifier.verify(ARTIFACT, new ModelSignature(Keys.keyId(TRUSTED.getPublic()), bad)).status())
                    .as("bit in byte %d", i).isEqualTo(Status.BAD_SIGNATURE);
        }
    }

    @Test
    void signatureByAnUntrustedKeyIsAnUnknownKey() {
        ModelSignature sig = new ModelSigner(OTHER).sign(ARTIFACT);
        Verification v = verifier.verify(ARTIFACT, sig);
        assertThat(v.status()).isEqualTo(Status.UNKNOWN_KEY);
        assertThat(v.detail()).contains(Keys.keyId(OTHER.getPublic())).contains(Keys.keyId(TRUSTED.getPublic()));
    }

    @Test
    void untrustedKeyClaimingATrustedKeyIdIsABadSignature() {
        byte[] forged = new ModelSigner(OTHER).sign(ARTIFACT).signature();
        Verification v = verifier.verify(ARTIFACT, new ModelSignature(Keys.keyId(TRUSTED.getPublic()), forged));
        assertThat(v.status()).isEqualTo(Status.BAD_SIGNATURE);
    }

    @Test
    void noSignatureIsUnsigned() {
        assertThat(verifier.verify(ARTIFACT, (ModelSignature) null).status()).isEqualTo(Status.UNSIGNED);
        assertThat(verifier.verify(ARTIFACT, null, null).status()).isEqualTo(Status.UNSIGNED);
        assertThat(verifier.verifyFile(ARTIFACT, null).toString()).startsWith("unsigned: ");
    }

    @Test
    void headersRoundTrip() {
        ModelSignature sig = new ModelSigner(TRUSTED).sign(ARTIFACT);
        Verification v = verifier.verify(ARTIFACT, sig.keyId().getBytes(StandardCharsets.UTF_8),
                sig.signatureBase64().getBytes(StandardCharsets.UTF_8));
        assertThat(v.status()).isEqualTo(Status.VERIFIED);
    }

    @Test
    void malformedHeadersAreMalformedSignaturesWithAReason() {
        ModelSignature sig = new ModelSigner(TRUSTED).sign(ARTIFACT);
        byte[] id = sig.keyId().getBytes(StandardCharsets.UTF_8);
        byte[] b64 = sig.signatureBase64().getBytes(StandardCharsets.UTF_8);
        assertMalformed(verifier.verify(ARTIFACT, id, null), "seqpredict.signature is missing");
        assertMalformed(verifier.verify(ARTIFACT, null, b64), "seqpredict.key-id is missing");
        assertMalformed(verifier.verify(ARTIFACT, id, "not base64 !!".getBytes(StandardCharsets.UTF_8)), "not valid base64");
        assertMalformed(verifier.verify(ARTIFACT, id, Base64.getEncoder().encode(new byte[63])), "63 bytes");
        assertMalformed(verifier.verify(ARTIFACT, id, "x".repeat(10_000).getBytes(StandardCharsets.UTF_8)), "10000 characters");
        assertMalformed(verifier.verify(ARTIFACT, "ABCDEF".getBytes(StandardCharsets.UTF_8), b64), "not 16 lowercase hex");
        assertMalformed(verifier.verify(ARTIFACT, new byte[] {(byte) 0xff, (byte) 0xfe}, b64), "not 16 lowercase hex");
    }

    @Test
    void signatureFileRoundTripsAndMalformedFilesSayWhy() {
        ModelSignature sig = new ModelSigner(TRUSTED).sign(ARTIFACT);
        String text = sig.toFileText();
        assertThat(text).startsWith("seqpredict-signature v1\nalgorithm: Ed25519\nkey-id: " + sig.keyId() + "\n");
        assertThat(verifier.verifyFile(ARTIFACT, text).verified()).isTrue();
        assertThat(verifier.verifyFile(ARTIFACT, text.replace("\n", "\r\n")).verified()).isTrue();

        assertMalformed(verifier.verifyFile(ARTIFACT, ""), "empty signature file");
        assertMalformed(verifier.verifyFile(ARTIFACT, "hello\n"), "not a seqpredict signature file");
        assertMalformed(verifier.verifyFile(ARTIFACT, text.replace("Ed25519", "RSA")), "algorithm must be Ed25519");
        assertMalformed(verifier.verifyFile(ARTIFACT, text + "comment: hi\n"), "unknown field 'comment'");
        assertMalformed(verifier.verifyFile(ARTIFACT, text + "key-id: " + sig.keyId() + "\n"), "appears twice");
        assertMalformed(verifier.verifyFile(ARTIFACT, text.replaceAll("signature: .*\n", "")), "missing field 'signature'");
        assertMalformed(verifier.verifyFile(ARTIFACT, text.replaceAll("signature: (.*)\n", "signature: \\$$1\n")), "base64");
        assertMalformed(verifier.verifyFile(ARTIFACT, text + "x".repeat(5000)), "larger than");
    }

    @Test
    void pemKeysRoundTripAndKeyIdIsStable() throws Exception {
        String pub = Keys.publicPem(TRUSTED.getPublic());
        String priv = Keys.privatePem(TRUSTED.getPrivate());
        assertThat(pub).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        assertThat(priv).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Keys.keyId(Keys.parsePublic(pub))).isEqualTo(Keys.keyId(TRUSTED.getPublic()));
        // A signer from the private key alone derives the same key id and signs verifiably.
        ModelSigner signer = ModelSigner.of(Keys.parsePrivate(priv));
        assertThat(signer.keyId()).isEqualTo(Keys.keyId(TRUSTED.getPublic()));
        assertThat(verifier.verify(ARTIFACT, signer.sign(ARTIFACT)).verified()).isTrue();
    }

    @Test
    void opensslStylePemIsRead() throws Exception {
        // openssl genpkey -algorithm ed25519 | openssl pkey -pubout
        String pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
        assertThat(Keys.parsePublic(pem).getAlgorithm()).isIn("EdDSA", "Ed25519");
    }

    @Test
    void malformedPemIsRejectedWithAReason() throws Exception {
        String pub = Keys.publicPem(TRUSTED.getPublic());
        assertPem(() -> Keys.parsePublic("hello"), "no '-----BEGIN PUBLIC KEY-----' line");
        assertPem(() -> Keys.parsePublic(Keys.privatePem(TRUSTED.getPrivate())), "found -----BEGIN PRIVATE KEY-----");
        assertPem(() -> Keys.parsePublic(pub.replace("-----END PUBLIC KEY-----", "")), "no '-----END PUBLIC KEY-----' line");
        assertPem(() -> Keys.parsePublic(pub.replace("MC", "M*")), "not valid base64");
        assertPem(() -> Keys.parsePublic("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----"), "empty PEM block");
        assertPem(() -> Keys.parsePublic("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"), "not an Ed25519 public key");
        assertPem(() -> Keys.parsePublic(pub + pub), "more than one PEM block");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        String rsaPem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.generateKeyPair().getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        assertPem(() -> Keys.parsePublic(rsaPem), "not an Ed25519 public key");
        assertPem(() -> Keys.parsePrivate(pub), "no '-----BEGIN PRIVATE KEY-----' line");
    }

    @Test
    void trustedKeysLoadFromFilesAndDirectories() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("trusted"));
        Files.writeString(keys.resolve("a.pem"), Keys.publicPem(TRUSTED.getPublic()));
        Files.writeString(keys.resolve("readme.txt"), "not a key, ignored");
        Path other = dir.resolve("other.pem");
        Files.writeString(other, Keys.publicPem(OTHER.getPublic()));
        SignatureVerifier v = SignatureVerifier.fromPaths(List.of(keys, other));
        assertThat(v.keyIds()).containsExactlyInAnyOrder(Keys.keyId(TRUSTED.getPublic()), Keys.keyId(OTHER.getPublic()));
        assertThat(v.verify(ARTIFACT, new ModelSigner(OTHER).sign(ARTIFACT)).verified()).isTrue();

        Files.writeString(keys.resolve("broken.pem"), "garbage");
        assertThatThrownBy(() -> SignatureVerifier.fromPaths(List.of(keys))).isInstanceOf(SignatureFormatException.class)
                .hasMessageContaining("broken.pem");
        assertThatThrownBy(() -> SignatureVerifier.fromPaths(List.of(dir.resolve("missing"))))
                .hasMessageContaining("not found");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> SignatureVerifier.fromPaths(List.of(empty))).hasMessageContaining("no *.pem files");
        assertThatThrownBy(() -> new SignatureVerifier(List.of())).hasMessageContaining("no trusted keys");
        Path huge = dir.resolve("huge.pem");
        Files.write(huge, new byte[100_000]);
        assertThatThrownBy(() -> SignatureVerifier.fromPaths(List.of(huge))).hasMessageContaining("not a PEM key file");
    }

    private static void assertMalformed(Verification v, String detailPart) {
        assertThat(v.status()).isEqualTo(Status.MALFORMED_SIGNATURE);
        assertThat(v.toString()).startsWith("malformed_signature: ").contains(detailPart);
    }

    private static void assertPem(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String part) {
        assertThatThrownBy(call).isInstanceOf(SignatureFormatException.class).hasMessageContaining(part);
    }
}

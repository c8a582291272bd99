package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.security.Keys;
import dev.seqpredict.security.SignatureVerifier;
import dev.seqpredict.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningCommandsTest {

    @TempDir
    Path dir;
    private Path keys;
    private Path model;
    private String keyId;

    @BeforeEach
    void setUp() throws Exception {
        keys = dir.resolve("keys");
        CliRun gen = CliRun.of("keygen", "--out", keys.toString());
        assertThat(gen.exitCode()).as(gen.err()).isZero();
        Matcher m = Pattern.compile("key id\\s+([0-9a-f]{16})").matcher(gen.out());
        assertThat(m.find()).as(gen.out()).isTrue();
        keyId = m.group(1);
        model = dir.resolve("m.safetensors");
        ModelArtifact.write(TestModels.regression(3, CellType.LSTM, 2, 4, 1, "m", "1"), model);
    }

    @Test
    void keygenWritesPemKeysWithTheKeyIdOfThePublicKeyAndAPrivateFileOnlyTheOwnerReads() throws Exception {
        assertThat(Keys.keyId(Keys.readPublic(keys.resolve("public.pem")))).isEqualTo(keyId);
        assertThat(Files.readString(keys.resolve("private.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("private.pem")))).isEqualTo("rw-------");
        CliRun again = CliRun.of("keygen", "--out", keys.toString());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("error: refusing to overwrite existing keys");
    }

    @Test
    void signThenVerifyExitsZeroAndLeavesTheArtifactUnchanged() throws Exception {
        byte[] before = Files.readAllBytes(model);
        CliRun sign = CliRun.of("sign", "--model", model.toString(), "--key", keys.resolve("private.pem").toString());
        assertThat(sign.exitCode()).as(sign.err()).isZero();
        Path sig = dir.resolve("m.safetensors.sig");
        assertThat(sign.out()).contains("key id      " + keyId).contains("signature   " + sig)
                .contains(ModelArtifact.sha256Hex(before));
        assertThat(Files.readAllBytes(model)).isEqualTo(before);
        assertThat(Files.readString(sig)).contains("key-id: " + keyId);

        CliRun verify = CliRun.of("verify", "--model", model.toString(), "--trusted", keys.resolve("public.pem").toString());
        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("verified    " + model).contains("key id      " + keyId);
        // a directory of public keys works too, and the library agrees
        Path trustedDir = Files.createDirectory(dir.resolve("trusted"));
        Files.copy(keys.resolve("public.pem"), trustedDir.resolve("release.pem"));
        assertThat(CliRun.of("verify", "--model", model.toString(), "--signature", sig.toString(), "--trusted", trustedDir.toString())
                .exitCode()).isZero();
        assertThat(SignatureVerifier.fromPaths(List.of(trustedDir)).verifyFile(before, Files.readString(sig)).verified()).isTrue();
        // keygen's own directory holds the private key: not a trust store
        CliRun keygenDir = CliRun.of("verify", "--model", model.toString(), "--trusted", keys.toString());
        assertThat(keygenDir.exitCode()).isEqualTo(1);
        assertThat(keygenDir.err()).contains("private.pem: no '-----BEGIN PUBLIC KEY-----' line (found -----BEGIN PRIVATE KEY-----)");
    }

    @Test
    void verifyFailsWithTheReason() throws Exception {
        Path sig = dir.resolve("custom.sig");
        assertThat(CliRun.of("sign", "--model", model.toString(), "--key", keys.resolve("private.pem").toString(),
                "--out", sig.toString()).exitCode()).isZero();
        String trusted = keys.resolve("public.pem").toString();

        // unsigned: no <model>.sig
        CliRun unsigned = CliRun.of("verify", "--model", model.toString(), "--trusted", trusted);
        assertThat(unsigned.exitCode()).isEqualTo(1);
        assertThat(unsigned.err()).contains("error: not verified: unsigned: ").contains("m.safetensors.sig");

        // bad signature: one byte of the artifact flipped
        byte[] b = Files.readAllBytes(model);
        b[b.length - 3] ^= 1;
        Path tampered = dir.resolve("tampered.safetensors");
        Files.write(tampered, b);
        CliRun bad = CliRun.of("verify", "--model", tampered.toString(), "--signature", sig.toString(), "--trusted", trusted);
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("error: not verified: bad_signature: ");

        // unknown key: trusted keys are someone else's
        Path other = dir.resolve("other");
        assertThat(CliRun.of("keygen", "--out", other.toString()).exitCode()).isZero();
        CliRun unknown = CliRun.of("verify", "--model", model.toString(), "--signature", sig.toString(),
                "--trusted", other.resolve("public.pem").toString());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("error: not verified: unknown_key: signed by key " + keyId);

        // malformed signature file
        Path garbled = dir.resolve("garbled.sig");
        Files.writeString(garbled, Files.readString(sig).replaceAll("signature: .*", "signature: @@@"));
        CliRun malformed = CliRun.of("verify", "--model", model.toString(), "--signature", garbled.toString(), "--trusted", trusted);
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).contains("error: not verified: malformed_signature: signature is not valid base64");

        // missing signature file named explicitly, bad trusted key file
        CliRun missing = CliRun.of("verify", "--model", model.toString(), "--signature", dir.resolve("nope.sig").toString(), "--trusted", trusted);
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("error: signature file not found");
        CliRun badKey = CliRun.of("verify", "--model", model.toString(), "--signature", sig.toString(),
                "--trusted", keys.resolve("private.pem").toString());
        assertThat(badKey.exitCode()).isEqualTo(1);
        assertThat(badKey.err()).contains("error: trusted keys: ").contains("no '-----BEGIN PUBLIC KEY-----' line");
    }

    @Test
    void signRefusesInvalidModelsAndBadKeys() throws Exception {
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        CliRun invalid = CliRun.of("sign", "--model", junk.toString(), "--key", keys.resolve("private.pem").toString());
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).contains("error: refusing to sign an invalid model");
        assertThat(Files.exists(dir.resolve("junk.safetensors.sig"))).isFalse();

        CliRun publicAsPrivate = CliRun.of("sign", "--model", model.toString(), "--key", keys.resolve("public.pem").toString());
        assertThat(publicAsPrivate.exitCode()).isEqualTo(1);
        assertThat(publicAsPrivate.err()).contains("error: bad private key: ").contains("no '-----BEGIN PRIVATE KEY-----' line");

        CliRun noKey = CliRun.of("sign", "--model", model.toString(), "--key", dir.resolve("none.pem").toString());
        assertThat(noKey.exitCode()).isEqualTo(1);
        assertThat(noKey.err()).contains("error: private key not found");

        CliRun usage = CliRun.of("sign", "--model", model.toString());
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required option: '--key=FILE'");
    }
}

package dev.seqpredict.cli;

import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelFormatException;
import dev.seqpredict.security.ModelSignature;
import dev.seqpredict.security.ModelSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign a model artifact with an Ed25519 private key: writes a detached signature file (default <model>.sig).",
                "The artifact is validated first and is not changed (its SHA-256 stays its identity)."})
final class SignCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model artifact (.safetensors).")
    Path model;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "PKCS#8 PEM private key (from keygen).")
    Path key;

    @Option(names = "--out", paramLabel = "FILE", description = "Signature file (default: <model>.sig).")
    Path out;

    @Override
    public Integer call() {
        byte[] artifact = KeyFiles.artifact(model, ModelArtifact.DEFAULT_MAX_BYTES);
        try {
            ModelArtifact.load(artifact);
        } catch (ModelFormatException e) {
            throw new CliException("refusing to sign an invalid model " + model + ": " + e.getMessage());
        }
        ModelSigner signer = KeyFiles.signer(key);
        ModelSignature sig = signer.sign(artifact);
        Path target = out != null ? out : KeyFiles.defaultSignature(model);
        try {
            Files.writeString(target, sig.toFileText());
        } catch (IOException e) {
            throw new CliException("cannot write signature " + target + ": " + e.getMessage());
        }
        var o = spec.commandLine().getOut();
        o.printf("signed      %s%n", model);
        o.printf("sha256      %s%n", ModelArtifact.sha256Hex(artifact));
        o.printf("key id      %s%n", sig.keyId());
        o.printf("signature   %s%n", target);
        return 0;
    }
}

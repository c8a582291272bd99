package dev.seqpredict.cli;

import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.security.SignatureFormatException;
import dev.seqpredict.security.SignatureVerifier;
import dev.seqpredict.security.Verification;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a model's detached signature against trusted public keys, as the jobs do.",
                "Exit 0 when verified; 1 with the reason (unsigned, unknown_key, bad_signature, malformed_signature) otherwise."})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model artifact (.safetensors).")
    Path model;

    @Option(names = "--signature", paramLabel = "FILE", description = "Signature file (default: <model>.sig).")
    Path signature;

    @Option(names = "--trusted", required = true, arity = "1..*", split = ",", paramLabel = "DIR|FILE",
            description = "Trusted PEM public keys: files, or directories of *.pem files.")
    List<Path> trusted;

    @Override
    public Integer call() {
        SignatureVerifier verifier;
        try {
            verifier = SignatureVerifier.fromPaths(trusted);
        } catch (IOException | SignatureFormatException e) {
            throw new CliException("trusted keys: " + e.getMessage());
        }
        byte[] artifact = KeyFiles.artifact(model, ModelArtifact.DEFAULT_MAX_BYTES);
        Path sigFile = signature != null ? signature : KeyFiles.defaultSignature(model);
        String text = KeyFiles.signatureText(sigFile);
        if (text == null && signature != null) {
            throw new CliException("signature file not found: " + sigFile);
        }
        Verification v = verifier.verifyFile(artifact, text);
        if (!v.verified()) {
            throw new CliException("not verified: " + v + (text == null ? " (no " + sigFile + ")" : ""));
        }
        var o = spec.commandLine().getOut();
        o.printf("verified    %s%n", model);
        o.printf("sha256      %s%n", ModelArtifact.sha256Hex(artifact));
        o.printf("key id      %s%n", v.keyId());
        return 0;
    }
}

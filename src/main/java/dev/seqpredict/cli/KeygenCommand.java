package dev.seqpredict.cli;

import dev.seqpredict.security.Keys;
import dev.seqpredict.security.ModelSigner;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Create an Ed25519 key pair for signing models: private.pem (PKCS#8, owner-only) and public.pem (X.509).",
                "Prints the key id (first 16 hex digits of the SHA-256 of the public key's encoding).",
                "Copy public.pem into the jobs' trusted key directory (models.trusted.keys); keep private.pem secret."})
final class KeygenCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for private.pem and public.pem (created if missing; existing keys are never overwritten).")
    Path out;

    @Override
    public Integer call() {
        Path priv = out.resolve("private.pem");
        Path pub = out.resolve("public.pem");
        if (Files.exists(priv) || Files.exists(pub)) {
            throw new CliException("refusing to overwrite existing keys in " + out + " (private.pem or public.pem exists)");
        }
        KeyPair pair = ModelSigner.generateKeyPair();
        try {
            Files.createDirectories(out);
            writePrivate(priv, Keys.privatePem(pair.getPrivate()));
            Files.writeString(pub, Keys.publicPem(pair.getPublic()), StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw new CliException("refusing to overwrite " + e.getFile());
        } catch (IOException e) {
            throw new CliException("cannot write keys to " + out + ": " + e.getMessage());
        }
        var o = spec.commandLine().getOut();
        o.printf("key id      %s%n", Keys.keyId(pair.getPublic()));
        o.printf("private key %s (keep secret)%n", priv);
        o.printf("public key  %s (add to models.trusted.keys)%n", pub);
        return 0;
    }

    private static void writePrivate(Path file, String pem) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, pem, StandardOpenOption.TRUNCATE_EXISTING);
    }
}

package dev.seqpredict.cli;

import dev.seqpredict.security.Keys;
import dev.seqpredict.security.ModelSignature;
import dev.seqpredict.security.ModelSigner;
import dev.seqpredict.security.SignatureFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading keys, signatures and artifacts for the signing commands, with errors a user can read. */
final class KeyFiles {
    private KeyFiles() {
    }

    static ModelSigner signer(Path privateKey) {
        try {
            return ModelSigner.of(Keys.readPrivate(privateKey));
        } catch (NoSuchFileException e) {
            throw new CliException("private key not found: " + privateKey);
        } catch (IOException e) {
            throw new CliException("cannot read private key " + privateKey + ": " + e.getMessage());
        } catch (SignatureFormatException e) {
            throw new CliException("bad private key: " + e.getMessage());
        }
    }

    /** The signature file's text, or null when it does not exist. */
    static String signatureText(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(ModelSignature.MAX_FILE_BYTES + 1);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot read signature " + file + ": " + e.getMessage());
        }
    }

    /** The artifact's bytes (size-checked), exactly as they will be signed, verified or published. */
    static byte[] artifact(Path file, long maxBytes) {
        if (!Files.isRegularFile(file)) {
            throw new CliException("model file not found: " + file);
        }
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new CliException("model file " + file + " is " + size + " bytes, above the limit of " + maxBytes);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliException("cannot read model " + file + ": " + e.getMessage());
        }
    }

    static Path defaultSignature(Path model) {
        return model.resolveSibling(model.getFileName() + ModelSignature.FILE_SUFFIX);
    }
}

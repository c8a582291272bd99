package dev.seqpredict.cli;

import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelFormatException;
import dev.seqpredict.model.RecurrentModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Loading a model file for a command, with errors a user can read. */
final class Models {
    private Models() {
    }

    static RecurrentModel load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CliException("model file not found: " + file);
        }
        try {
            return ModelArtifact.load(file);
        } catch (ModelFormatException e) {
            throw new CliException("cannot load model " + file + ": " + e.getMessage());
        } catch (NoSuchFileException e) {
            throw new CliException("model file not found: " + file);
        } catch (IOException e) {
            throw new CliException("cannot read model " + file + ": " + e.getMessage());
        }
    }
}

package dev.seqpredict.processor;

import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelFormatException;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models a job serves, by name, as published on the models topic (key = name, value = artifact
 * bytes, empty value = withdraw). Every artifact is validated before it can replace anything: a model
 * that fails is rejected with a reason and the previous one stays. Engines keep the accepted artifact
 * bytes in their own durable state and feed them back here after a restore.
 */
public final class ModelRegistry {

    /**
     * Checks an artifact beyond its format (e.g. a signature); returns null when it is acceptable, else the
     * problem (the detail of an {@code unverified} rejection). Verifiers that need the record's signature
     * headers override {@link #problem(PublishedModel)}; the two-argument form sees no headers.
     */
    @FunctionalInterface
    public interface ArtifactVerifier {
        String problem(String name, byte[] artifact);

        /** The whole published record; by default the headers are ignored. */
        default String problem(PublishedModel published) {
            return problem(published.name(), published.artifact());
        }

        ArtifactVerifier ACCEPT_ALL = (name, artifact) -> null;
    }

    /** What happened to a published model. */
    public sealed interface Update {
        record Accepted(ServingModel model, ServingModel replaced) implements Update {
        }

        record Unchanged(ServingModel model) implements Update {
        }

        record Removed(String name, ServingModel removed) implements Update {
        }

        record Rejected(String name, String reason, String detail) implements Update {
        }
    }

    private final ModelSelection selection;
    /** Every reason a published model can be rejected for (the {@code reason} tag of the rejection counter). */
    public static final java.util.List<String> REJECT_REASONS = java.util.List.of("invalid", "unverified", "too_large",
            "unsupported");

    private final String defaultModel;
    private final long maxModelBytes;
    private final ArtifactVerifier verifier;
    private final Map<String, ServingModel> models = new ConcurrentHashMap<>();

    public ModelRegistry(ModelSelection selection, String defaultModel, long maxModelBytes, ArtifactVerifier verifier) {
        this.selection = selection;
        this.defaultModel = defaultModel;
        this.maxModelBytes = maxModelBytes;
        this.verifier = verifier;
    }

    public static ModelRegistry single(String defaultModel) {
        return new ModelRegistry(ModelSelection.SINGLE, defaultModel, ModelArtifact.DEFAULT_MAX_BYTES, ArtifactVerifier.ACCEPT_ALL);
    }

    /**
     * Validates and installs a published artifact. Rejection reasons (the metric tag):
     * {@code too_large}, {@code invalid} (format, shapes, values), {@code unsupported} (a model the
     * stream cannot serve), {@code unverified} (the verifier said no; with signature verification on,
     * a record offered here has no signature and is always {@code unverified}: use
     * {@link #offer(PublishedModel)} with the record's headers).
     */
    public Update offer(String name, byte[] artifact) {
        return offer(PublishedModel.unsigned(name, artifact));
    }

    /**
     * As {@link #offer(String, byte[])}, for a record with its signature headers: the verifier sees them
     * (a registry whose verifier checks signatures rejects an unsigned record as {@code unverified}).
     */
    public Update offer(PublishedModel published) {
        String name = published.name();
        byte[] artifact = published.artifact();
        if (name == null || name.isBlank()) {
            return new Update.Rejected(String.valueOf(name), "invalid", "model record has no key (the model name)");
        }
        if (artifact == null || artifact.length == 0) {
            // A withdrawal is as powerful as a model (it stops predictions): a verifying registry checks it
            // too (a withdrawal is signed as the empty artifact).
            String problem = verifier.problem(new PublishedModel(name, new byte[0], published.keyIdHeader(),
                    published.signatureHeader()));
            if (problem != null) {
                return new Update.Rejected(name, "unverified", "withdrawal: " + problem);
            }
            ServingModel removed = models.remove(name);
            return new Update.Removed(name, removed);
        }
        if (artifact.length > maxModelBytes) {
            return new Update.Rejected(name, "too_large", artifact.length + " bytes, limit " + maxModelBytes);
        }
        String problem = verifier.problem(published);
        if (problem != null) {
            return new Update.Rejected(name, "unverified", problem);
        }
        RecurrentModel model;
        try {
            model = ModelArtifact.load(artifact, maxModelBytes);
        } catch (ModelFormatException e) {
            return new Update.Rejected(name, "invalid", e.getMessage());
        }
        if (model.spec().task() == Task.REGRESSION && !model.forecastsInputs()) {
            return new Update.Rejected(name, "unsupported", "a stream model must forecast its own inputs (output_size "
                    + model.spec().outputSize() + " != input_size " + model.spec().inputSize()
                    + " and no 'target' list naming the inputs it forecasts)");
        }
        ServingModel current = models.get(name);
        if (current != null && current.model().sha256().equals(model.sha256())) {
            return new Update.Unchanged(current);
        }
        ServingModel serving = ServingModel.of(name, model);
        models.put(name, serving);
        return new Update.Accepted(serving, current);
    }

    /**
     * Drops a model from this registry's cache without treating it as a publication (no verification):
     * for engines whose own durable model state no longer holds it (that state only ever holds models
     * this kind of registry accepted, withdrawals included).
     */
    public ServingModel forget(String name) {
        return models.remove(name);
    }

    /** The model for an event under the selection rule, or null. */
    public ServingModel select(Event event) {
        return switch (selection) {
            case SINGLE -> models.get(defaultModel);
            case KEY -> models.get(event.key());
            case FIELD -> models.get(event.model() != null ? event.model() : defaultModel);
        };
    }

    public ServingModel get(String name) {
        return models.get(name);
    }

    public Collection<ServingModel> models() {
        return models.values();
    }

    public boolean isEmpty() {
        return models.isEmpty();
    }
}

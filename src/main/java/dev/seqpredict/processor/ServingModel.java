package dev.seqpredict.processor;

import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model as the stream serves it: its name (the models topic's record key), the loaded model, and two
 * compact fingerprints a key's state remembers: which model made it ({@code fingerprint}, from the
 * artifact's SHA-256) and what its inputs mean ({@code inputSignature}: arity for sensor models, the
 * vocabulary for log models), which decides whether buffered inputs can be replayed into it.
 */
public record ServingModel(String name, RecurrentModel model, long fingerprint, long inputSignature) {

    public static ServingModel of(String name, RecurrentModel model) {
        long fp = HexFormat.fromHexDigitsToLong(model.sha256(), 0, 16);
        return new ServingModel(name, model, fp == 0 ? 1 : fp, inputSignature(model));
    }

    public String version() {
        return model.spec().version();
    }

    public boolean isClassification() {
        return model.spec().task() == Task.CLASSIFICATION;
    }

    /** Floats per buffered input: the feature count, or 1 (the event index) for log models. */
    public int inputWidth() {
        return isClassification() ? 1 : model.spec().inputSize();
    }

    private static long inputSignature(RecurrentModel m) {
        String sig = m.spec().task() == Task.CLASSIFICATION
                ? "events:" + m.spec().vocabularySize() + ":" + String.join("\u0000", m.spec().vocabulary())
                : "values:" + m.spec().inputSize();
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sig.getBytes(StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.seqpredict.train;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.Task;

/**
 * Hyper-parameters of one training run. {@code task} null takes the data's; {@code split} null means
 * {@link Split#TAIL} for keyed streams (CSV, Kafka) and {@link Split#KEYS} for sessions. {@code residual}
 * (regression only): the network learns z_{t+1} - z_t in normalized units and the spec says {@code residual};
 * {@code differenced} (with residual): its input is x_t - x_{t-1} (normalized), the spec says {@code differenced}.
 */
public record TrainingOptions(
        CellType cell,
        int hidden,
        int layers,
        int window,
        int stride,
        int epochs,
        int batch,
        float learningRate,
        long seed,
        Task task,
        double validationFraction,
        Split split,
        boolean skipShort,
        int topK,
        float clipGradient,
        String name,
        String version,
        boolean residual,
        boolean differenced) {

    /** The absolute form ({@code residual} false). */
    public TrainingOptions(CellType cell, int hidden, int layers, int window, int stride, int epochs, int batch,
                           float learningRate, long seed, Task task, double validationFraction, Split split,
                           boolean skipShort, int topK, float clipGradient, String name, String version) {
        this(cell, hidden, layers, window, stride, epochs, batch, learningRate, seed, task, validationFraction, split,
                skipShort, topK, clipGradient, name, version, false, false);
    }

    public static TrainingOptions defaults() {
        return new TrainingOptions(CellType.LSTM, 32, 1, 20, 1, 20, 32, 0.01f, 42L, null, 0.2, null, false, 9, 1.0f,
                "model", "1");
    }

    public TrainingOptions {
        require(hidden >= 1 && hidden <= 4096, "--hidden must be in 1..4096, got " + hidden);
        require(layers >= 1 && layers <= 8, "--layers must be in 1..8, got " + layers);
        require(window >= 1, "--window must be ≥ 1, got " + window);
        require(stride >= 1, "--stride must be ≥ 1, got " + stride);
        require(epochs >= 1, "--epochs must be ≥ 1, got " + epochs);
        require(batch >= 1, "--batch must be ≥ 1, got " + batch);
        require(learningRate > 0 && Float.isFinite(learningRate), "--lr must be > 0, got " + learningRate);
        require(validationFraction >= 0 && validationFraction < 1,
                "--validation-fraction must be in [0, 1), got " + validationFraction);
        require(topK >= 1, "--top-k must be ≥ 1, got " + topK);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public TrainingOptions with(CellType c, int h, int l) {
        return new TrainingOptions(c, h, l, window, stride, epochs, batch, learningRate, seed, task, validationFraction,
                split, skipShort, topK, clipGradient, name, version, residual, differenced);
    }

    public TrainingOptions withSchedule(int w, int e, int b, float lr) {
        return new TrainingOptions(cell, hidden, layers, w, stride, e, b, lr, seed, task, validationFraction,
                split, skipShort, topK, clipGradient, name, version, residual, differenced);
    }

    /** Regression: learn the change from the last value (normalized units) instead of the next value. */
    public TrainingOptions withResidual(boolean r) {
        return new TrainingOptions(cell, hidden, layers, window, stride, epochs, batch, learningRate, seed, task,
                validationFraction, split, skipShort, topK, clipGradient, name, version, r, differenced);
    }

    /** Regression, with residual: the network's input is each event's change from the previous one. */
    public TrainingOptions withDifferencedInput(boolean d) {
        return new TrainingOptions(cell, hidden, layers, window, stride, epochs, batch, learningRate, seed, task,
                validationFraction, split, skipShort, topK, clipGradient, name, version, residual || d, d);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(cell, hidden, layers, window, stride, epochs, batch, learningRate, s, task,
                validationFraction, split, skipShort, topK, clipGradient, name, version, residual, differenced);
    }

    public TrainingOptions withSplit(Split sp, double fraction) {
        return new TrainingOptions(cell, hidden, layers, window, stride, epochs, batch, learningRate, seed, task,
                fraction, sp, skipShort, topK, clipGradient, name, version, residual, differenced);
    }
}

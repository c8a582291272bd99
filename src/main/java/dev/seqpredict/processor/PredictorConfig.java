package dev.seqpredict.processor;

/**
 * Settings of the per-key processing, identical for every engine.
 *
 * @param swapPolicy       what a model change does to a key's state
 * @param rewarmWindow     W: how many recent inputs each key keeps for {@link SwapPolicy#REWARM} (0 = none)
 * @param topK             how many of the most likely next events a log-stream prediction lists
 * @param topG             a log event is normal when it is among the top g predictions made before it
 * @param anomalyThreshold a sensor event is flagged when its anomaly score reaches this
 * @param warmupEvents     errors a key must have seen before its anomaly score leaves 0
 * @param shortWindow      events averaged in the recent error (the "now" of the anomaly score)
 * @param longWindow       events of error history the recent error is compared against
 */
public record PredictorConfig(SwapPolicy swapPolicy, int rewarmWindow, int topK, int topG,
                              double anomalyThreshold, int warmupEvents, int shortWindow, int longWindow) {

    public static final PredictorConfig DEFAULTS =
            new PredictorConfig(SwapPolicy.REWARM, 16, 3, 9, 0.999, 20, 5, 500);

    public PredictorConfig {
        if (rewarmWindow < 0 || rewarmWindow > 10_000) {
            throw new IllegalArgumentException("rewarm window must be in 0..10000, got " + rewarmWindow);
        }
        if (topK < 1 || topG < 1) {
            throw new IllegalArgumentException("top-k and top-g must be ≥ 1");
        }
        if (!(anomalyThreshold > 0 && anomalyThreshold <= 1)) {
            throw new IllegalArgumentException("anomaly threshold must be in (0, 1]");
        }
        if (warmupEvents < 0 || shortWindow < 1 || longWindow < shortWindow) {
            throw new IllegalArgumentException("need warmup ≥ 0 and 1 ≤ short window ≤ long window");
        }
        if (swapPolicy == SwapPolicy.REWARM && rewarmWindow == 0) {
            swapPolicy = SwapPolicy.RESET; // nothing to replay
        }
    }

    public PredictorConfig withSwapPolicy(SwapPolicy p) {
        return new PredictorConfig(p, rewarmWindow, topK, topG, anomalyThreshold, warmupEvents, shortWindow, longWindow);
    }

    public PredictorConfig withRewarmWindow(int w) {
        return new PredictorConfig(swapPolicy, w, topK, topG, anomalyThreshold, warmupEvents, shortWindow, longWindow);
    }
}

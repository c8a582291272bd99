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
 * @param suppressEvents   sensor streams: after an event whose score reaches {@code anomalyThreshold} (an alarm),
 *                         the next {@code suppressEvents} events of the key report a score of at most
 *                         {@link #SUPPRESSED_SCORE} and are not flagged, so one incident raises one alarm, not a
 *                         burst (NAB counts every extra alarm outside a window as a false positive). 0 = off
 *                         (the default). The statistics behind the score are updated as usual meanwhile.
 * @param unknownEventAnomaly log streams: an event id outside the model's vocabulary is predicted as an anomaly
 *                         (probability 0 under the model: error 1, score 1, not in the top g; the key's state is
 *                         not stepped) instead of going to the DLQ as {@code unknown_event} (the default)
 * @param sensorScoring    how a sensor event's anomaly score is made ({@link SensorScore})
 */
public record PredictorConfig(SwapPolicy swapPolicy, int rewarmWindow, int topK, int topG,
                              double anomalyThreshold, int warmupEvents, int shortWindow, int longWindow,
                              int suppressEvents, boolean unknownEventAnomaly, SensorScoring sensorScoring) {

    /** The highest score a suppressed sensor event reports: nothing unusual (the score is a log-likelihood). */
    public static final double SUPPRESSED_SCORE = 0.0;

    /**
     * The jobs' defaults. A sensor score of 0.5 is a moment with probability 1e-5 for its key (see
     * {@link SurpriseStats}); the windows (20 events "now" against ~2000 events of history) and the range check
     * are the ones tuned on NAB's development files (docs/real-data.md).
     */
    public static final PredictorConfig DEFAULTS =
            new PredictorConfig(SwapPolicy.REWARM, 16, 3, 9, 0.5, 20, 20, 2000, 0, false, SensorScoring.DEFAULTS);

    /** With the default sensor scoring. */
    public PredictorConfig(SwapPolicy swapPolicy, int rewarmWindow, int topK, int topG, double anomalyThreshold,
                           int warmupEvents, int shortWindow, int longWindow, int suppressEvents,
                           boolean unknownEventAnomaly) {
        this(swapPolicy, rewarmWindow, topK, topG, anomalyThreshold, warmupEvents, shortWindow, longWindow, suppressEvents,
                unknownEventAnomaly, SensorScoring.DEFAULTS);
    }

    /** Without alarm suppression. */
    public PredictorConfig(SwapPolicy swapPolicy, int rewarmWindow, int topK, int topG,
                           double anomalyThreshold, int warmupEvents, int shortWindow, int longWindow) {
        this(swapPolicy, rewarmWindow, topK, topG, anomalyThreshold, warmupEvents, shortWindow, longWindow, 0, false);
    }

    /** With alarm suppression, unknown log events to the DLQ. */
    public PredictorConfig(SwapPolicy swapPolicy, int rewarmWindow, int topK, int topG, double anomalyThreshold,
                           int warmupEvents, int shortWindow, int longWindow, int suppressEvents) {
        this(swapPolicy, rewarmWindow, topK, topG, anomalyThreshold, warmupEvents, shortWindow, longWindow, suppressEvents,
                false);
    }

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
        if (suppressEvents < 0) {
            throw new IllegalArgumentException("suppress events must be ≥ 0, got " + suppressEvents);
        }
        if (sensorScoring == null) {
            sensorScoring = SensorScoring.DEFAULTS;
        }
        if (swapPolicy == SwapPolicy.REWARM && rewarmWindow == 0) {
            swapPolicy = SwapPolicy.RESET; // nothing to replay
        }
    }

    public PredictorConfig withSwapPolicy(SwapPolicy p) {
        return new PredictorConfig(p, rewarmWindow, topK, topG, anomalyThreshold, warmupEvents, shortWindow, longWindow,
                suppressEvents, unknownEventAnomaly, sensorScoring);
    }

    public PredictorConfig withRewarmWindow(int w) {
        return new PredictorConfig(swapPolicy, w, topK, topG, anomalyThreshold, warmupEvents, shortWindow, longWindow,
                suppressEvents, unknownEventAnomaly, sensorScoring);
    }

    public PredictorConfig withTopG(int g) {
        return new PredictorConfig(swapPolicy, rewarmWindow, topK, g, anomalyThreshold, warmupEvents, shortWindow,
                longWindow, suppressEvents, unknownEventAnomaly, sensorScoring);
    }

    /** The anomaly score's threshold, and how many events after an alarm are suppressed. */
    public PredictorConfig withAlarms(double threshold, int suppress) {
        return new PredictorConfig(swapPolicy, rewarmWindow, topK, topG, threshold, warmupEvents, shortWindow,
                longWindow, suppress, unknownEventAnomaly, sensorScoring);
    }

    /** The anomaly score's warm-up and windows. */
    public PredictorConfig withScoreWindows(int warmup, int shortW, int longW) {
        return new PredictorConfig(swapPolicy, rewarmWindow, topK, topG, anomalyThreshold, warmup, shortW, longW,
                suppressEvents, unknownEventAnomaly, sensorScoring);
    }

    /** How a sensor event's anomaly score is made. */
    public PredictorConfig withSensorScoring(SensorScoring scoring) {
        return new PredictorConfig(swapPolicy, rewarmWindow, topK, topG, anomalyThreshold, warmupEvents, shortWindow,
                longWindow, suppressEvents, unknownEventAnomaly, scoring);
    }

    /** Whether an event id outside the vocabulary is predicted as an anomaly (true) or dead-lettered (false). */
    public PredictorConfig withUnknownEventAnomaly(boolean anomaly) {
        return new PredictorConfig(swapPolicy, rewarmWindow, topK, topG, anomalyThreshold, warmupEvents, shortWindow,
                longWindow, suppressEvents, anomaly, sensorScoring);
    }
}

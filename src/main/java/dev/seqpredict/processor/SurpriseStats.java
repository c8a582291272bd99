package dev.seqpredict.processor;

/**
 * How surprising one error signal of a key is, as an anomaly likelihood on a log scale (see
 * {@link SensorScore}). Per signal: the error is divided by the key's own typical error (an exponentially
 * weighted mean of |error|), squashed into [0, 1) as {@code raw = 1 − exp(−ratio / cap)}; a short moving
 * average of raw ("now") is compared with the long-run mean and spread of that average ("normal for this
 * key"), and the Gaussian tail probability q of "now" becomes {@code log(q) / log(1e-10)}: 0 for an ordinary
 * moment, 0.5 at q = 1e-5, 1 at q ≤ 1e-10. The same threshold then means the same improbability on every
 * stream, whatever its scale or noise. Only errors up to the current event are used (no look-ahead), and
 * each event is scored against statistics that do not yet include it.
 */
final class SurpriseStats {
    /** Floor of the spread of "now", in raw units: a stream whose error never changed still has a scale. */
    static final double MIN_SPREAD = 1e-3;
    private static final double LOG_FLOOR = Math.log(1e-10);

    long count;
    double scale;      // EW mean of |error|
    double shortMean;  // EW mean of raw over ~short window
    double longMean;   // EW mean of shortMean over ~long window
    double longVar;

    SurpriseStats copy() {
        SurpriseStats c = new SurpriseStats();
        c.count = count;
        c.scale = scale;
        c.shortMean = shortMean;
        c.longMean = longMean;
        c.longVar = longVar;
        return c;
    }

    /** Folds one error (≥ 0) in and returns this event's log-likelihood score in [0, 1]. */
    double update(double error, PredictorConfig cfg) {
        SensorScoring sc = cfg.sensorScoring();
        if (count == 0) {
            scale = error;
        }
        double ratio = scale > 0 ? error / scale : (error > 0 ? Double.MAX_VALUE : 0);
        double raw = -Math.expm1(-ratio / sc.rawCap());
        scale += Math.max(sc.scaleAlpha(), 1.0 / (count + 1)) * (error - scale); // a plain mean until 1/alpha errors
        double score = 0;
        long n = count;
        if (n == 0) {
            shortMean = raw;
            longMean = raw;
            longVar = 0;
        } else {
            shortMean += (raw - shortMean) / Math.min(n + 1, cfg.shortWindow());
            if (n >= cfg.warmupEvents()) {
                double z = (shortMean - longMean) / Math.max(Math.sqrt(longVar), MIN_SPREAD);
                score = logScale(upperTail(z));
            }
            double a = 1.0 / Math.min(n + 1, cfg.longWindow());
            double d = shortMean - longMean;
            longMean += a * d;
            longVar = (1 - a) * (longVar + a * d * d);
        }
        count = n + 1;
        return score;
    }

    /** {@code log(q) / log(1e-10)}, clamped to [0, 1]. */
    static double logScale(double q) {
        return Math.min(1.0, Math.max(0.0, Math.log(q + 1e-10) / LOG_FLOOR));
    }

    /** P(Z > z) for a standard normal Z, with a small relative error far into the tail (where the score lives). */
    static double upperTail(double z) {
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** erfc(x) with fractional error below 1.2e-7 for every x (the Chebyshev fit in Numerical Recipes, §6.2). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}

package dev.seqpredict.processor;

/**
 * Turns a key's stream of prediction errors into a likelihood in [0, 1] that "now" is unusual for this
 * key: the recent error (a short moving average) is compared with the key's own history of that average
 * (an exponentially weighted mean and variance over a long window), and the score is the normal CDF of
 * the z-value. 0.5 is an ordinary moment; 0.999 is three standard deviations above the key's norm.
 * Only errors up to and including the current event are used (no look-ahead).
 */
final class AnomalyScore {
    private static final double MIN_STD = 1e-6;

    private AnomalyScore() {
    }

    /** Folds one error signal (≥ 0) into the state's statistics and returns the score for this event. */
    static double update(KeyState s, double signal, PredictorConfig cfg) {
        long n = s.errorCount;
        double score;
        if (n == 0) {
            s.shortMean = signal;
            s.longMean = signal;
            s.longVar = 0;
            score = 0;
        } else {
            double aShort = 1.0 / Math.min(n + 1, cfg.shortWindow());
            s.shortMean += aShort * (signal - s.shortMean);
            if (n < cfg.warmupEvents()) {
                score = 0;
            } else {
                double z = (s.shortMean - s.longMean) / Math.max(Math.sqrt(s.longVar), MIN_STD);
                score = normalCdf(z);
            }
            // Welford-style exponentially weighted update of the history, after scoring against it.
            double aLong = 1.0 / Math.min(n + 1, cfg.longWindow());
            double d = s.shortMean - s.longMean;
            s.longMean += aLong * d;
            s.longVar = (1 - aLong) * (s.longVar + aLong * d * d);
        }
        s.errorCount = n + 1;
        return score;
    }

    /** Φ(z) via erfc, Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7). */
    static double normalCdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                * Math.exp(-x * x);
        return z >= 0 ? 1 - erfc / 2 : erfc / 2;
    }
}

package dev.seqpredict.processor;

/**
 * How a sensor event's anomaly score is made (see {@link SensorScore}); the same for every engine.
 *
 * @param rawCap         how many typical errors make an error "large": {@code raw = 1 − exp(−(error / typical) / cap)}
 * @param scaleAlpha     weight of the newest error in the key's typical error (an exponentially weighted mean)
 * @param rangeMargin    a value further than this fraction of the key's seen range outside that range scores 1
 *                       (0 = no range check)
 * @param rangeAfter     events a key must have had before the range check applies (a short history's range is
 *                       narrow: plain noise still finds new extremes)
 * @param rangeSurprise  the range check applies only to a value whose forecast error is more than this many
 *                       typical errors (a new extreme that the forecast expected, as noise or a slow drift makes
 *                       them); 0 = every value (the default: NAB's labels count slow drifts to a new level, and
 *                       with forecasts close to the last value 3 cost 4 points on its development files)
 * @param spikeFactor    an event whose forecast error is more than this many typical errors scores 1, even inside
 *                       the seen range (a single-point spike or drop; 0 = off), once the key has had
 *                       {@link PredictorConfig#warmupEvents()} errors (its typical error is their plain mean)
 * @param seasonMillis   the season compared against: the value this long ago (one day by default; 0 = off)
 * @param maxSeasonEvents the most values per feature a key keeps for that comparison; a key whose season
 *                       holds more events (its interval × this &lt; the season) does without it
 * @param blendAlpha     the forecast blend's weight of the newest error ({@link ForecastBlend}: per key and
 *                       feature, the model's predicted change is shrunk towards "no change" by the factor with the
 *                       least recent mean absolute error); 0 = off, the model's forecast as it is (the jobs' default,
 *                       setting {@code predict.blend.alpha}); {@code nab} uses {@link #BLEND_ALPHA}
 * @param seasonCycles   seasons a key keeps (1 = the value one season ago only; 7 with a day's season = also the
 *                       value one week ago): the season's error is the smaller of the two differences, so a value
 *                       that either reference explains is not surprising (a Saturday that differs from Friday but
 *                       not from last Saturday), while a value neither explains is (a holiday). When the cycles do
 *                       not fit in {@code maxSeasonEvents}, one season is kept.
 * @param seasonJitter   events a season's pattern may shift: the difference from one season earlier is the smallest
 *                       over the values up to this many events before and after that point, and from the cycles
 *                       earlier over that point and up to this many events after it (the ring holds no older value),
 *                       so a daily peak that comes a few minutes early or late is not surprising while a missing one
 *                       still is; at most half a season less one event is used (0 = the exact point only)
 */
public record SensorScoring(double rawCap, double scaleAlpha, double rangeMargin, int rangeAfter, double rangeSurprise,
                            double spikeFactor, long seasonMillis, int maxSeasonEvents, double blendAlpha,
                            int seasonCycles, int seasonJitter) {

    /** The jobs' defaults: spikes of more than 6 typical errors are flagged. */
    public static final SensorScoring DEFAULTS = new SensorScoring(30, 0.003, 0.02, 500, 0, 6, 86_400_000L, 2048, 0, 7, 3);

    /**
     * The blend's weight of the newest error that {@code nab} uses (~100 events of memory): on NAB's 24 real
     * development files any weight from 0.005 to 0.05 left no file worse than 1.05× the last value (docs/real-data.md).
     */
    public static final double BLEND_ALPHA = 0.01;

    public SensorScoring {
        if (!(rawCap > 0) || !(scaleAlpha > 0 && scaleAlpha <= 1) || !(rangeMargin >= 0) || rangeAfter < 0 || !(rangeSurprise >= 0) || !(spikeFactor >= 0) || seasonMillis < 0
                || maxSeasonEvents < 0 || maxSeasonEvents > 100_000 || !(blendAlpha >= 0 && blendAlpha <= 1) || seasonCycles < 1 || seasonCycles > 100
                || seasonJitter < 0 || seasonJitter > 1000) {
            throw new IllegalArgumentException("sensor scoring needs cap > 0, 0 < alpha ≤ 1, margin ≥ 0, season ≥ 0 and "
                    + "0 ≤ max season events ≤ 100000, 0 ≤ blend alpha ≤ 1, 1 ≤ season cycles ≤ 100, 0 ≤ season jitter ≤ 1000; got " + rawCap + ", " + scaleAlpha + ", " + rangeMargin + ", "
                    + seasonMillis + ", " + maxSeasonEvents + ", " + blendAlpha + ", " + seasonCycles + ", " + seasonJitter);
        }
    }

    public SensorScoring withSeason(long millis, int maxEvents) {
        return new SensorScoring(rawCap, scaleAlpha, rangeMargin, rangeAfter, rangeSurprise, spikeFactor, millis, maxEvents, blendAlpha, seasonCycles, seasonJitter);
    }

    public SensorScoring withSpikeFactor(double factor) {
        return new SensorScoring(rawCap, scaleAlpha, rangeMargin, rangeAfter, rangeSurprise, factor, seasonMillis,
                maxSeasonEvents, blendAlpha, seasonCycles, seasonJitter);
    }

    public SensorScoring withRangeMargin(double margin) {
        return new SensorScoring(rawCap, scaleAlpha, margin, rangeAfter, rangeSurprise, spikeFactor, seasonMillis, maxSeasonEvents, blendAlpha, seasonCycles, seasonJitter);
    }

    /** The forecast blend's weight of the newest error (0 = off). */
    public SensorScoring withBlendAlpha(double alpha) {
        return new SensorScoring(rawCap, scaleAlpha, rangeMargin, rangeAfter, rangeSurprise, spikeFactor, seasonMillis,
                maxSeasonEvents, alpha, seasonCycles, seasonJitter);
    }

    /** Seasons a key keeps for the season's comparison (1 = one season ago only). */
    public SensorScoring withSeasonCycles(int cycles) {
        return new SensorScoring(rawCap, scaleAlpha, rangeMargin, rangeAfter, rangeSurprise, spikeFactor, seasonMillis,
                maxSeasonEvents, blendAlpha, cycles, seasonJitter);
    }

    /** Events a season's pattern may shift before the season's comparison finds it surprising (0 = none). */
    public SensorScoring withSeasonJitter(int jitter) {
        return new SensorScoring(rawCap, scaleAlpha, rangeMargin, rangeAfter, rangeSurprise, spikeFactor, seasonMillis,
                maxSeasonEvents, blendAlpha, seasonCycles, jitter);
    }
}

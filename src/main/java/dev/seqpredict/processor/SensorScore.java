package dev.seqpredict.processor;

/**
 * The anomaly score of a sensor event, from three views of the key's own history, each scale-free:
 * <ol>
 *   <li>the model's forecast: how surprising the error of the forecast made before this event is
 *       ({@link SurpriseStats});</li>
 *   <li>the season: how surprising the difference from the key's value one season earlier is (a day by
 *       default; kept only when a season holds at most {@link SensorScoring#maxSeasonEvents()} events), which
 *       sees a missing daily peak or a flat stretch that a one-step forecast follows; with
 *       {@link SensorScoring#seasonCycles()} &gt; 1 the smaller of that difference and the one from the value
 *       that many seasons earlier (a week: a weekday pattern on a holiday); each reference allows the pattern to
 *       shift by {@link SensorScoring#seasonJitter()} events (a daily peak a few minutes late);</li>
 *   <li>the range: a value further than {@link SensorScoring#rangeMargin()} of the range seen so far
 *       outside it scores 1 (a spike or a drop to a level never seen), once the key has had
 *       {@link SensorScoring#rangeAfter()} events (optionally only when the forecast did not expect it,
 *       {@link SensorScoring#rangeSurprise()})</li>
 * </ol>
 * Plus, optionally, the spike rule: a forecast error, or a change from the key's previous value, of more than
 * {@link SensorScoring#spikeFactor()} typical ones scores 1, from the end of the key's warm-up
 * ({@link PredictorConfig#warmupEvents()} events) on. The score is the largest of these. Everything is scored against the state before the event, then the
 * event is folded in: no look-ahead.
 */
final class SensorScore {

    private SensorScore() {
    }

    /**
     * @param error     the RMSE of the forecast made before this event against it
     * @param actual    this event's values (the forecast's features)
     * @param ts        this event's time (epoch ms), for the season's length in events
     */
    static double update(KeyState s, double error, float[] actual, long ts, PredictorConfig cfg) {
        SensorScoring sc = cfg.sensorScoring();
        if (s.forecastStats == null) {
            s.forecastStats = new SurpriseStats();
        }
        double typical = s.forecastStats.count == 0 ? error : s.forecastStats.scale; // before this event
        double score = s.forecastStats.update(error, cfg);
        long seen = s.forecastStats.count - 1; // errors before this one
        boolean warm = seen >= Math.max(cfg.warmupEvents(), sc.rangeAfter());
        boolean surprising = typical > 0 ? error > sc.rangeSurprise() * typical : error > 0;
        // the typical error is a plain mean of the first errors: after the warm-up it already says what a large
        // one is, while the seen range needs far more events before noise stops finding new extremes
        if (seen >= cfg.warmupEvents() && sc.spikeFactor() > 0 && typical > 0 && error > sc.spikeFactor() * typical) {
            score = 1.0; // a single-point spike or drop, wherever it lands
        }
        if (spike(s, actual, cfg)) {
            score = 1.0;
        }

        // the season: its length in events from the key's first interval; the key keeps seasonCycles of them when
        // they fit (one otherwise)
        if (s.seasonLag < 0 && s.events > 0) {
            long interval = ts - s.lastTs;
            long lag = interval > 0 && sc.seasonMillis() > 0 ? Math.round((double) sc.seasonMillis() / interval) : 0;
            s.seasonLag = lag >= 2 && lag <= sc.maxSeasonEvents() ? (int) lag : 0;
            s.seasonCycles = s.seasonLag > 0 && (long) s.seasonLag * sc.seasonCycles() <= sc.maxSeasonEvents()
                    ? sc.seasonCycles() : 1;
        }
        if (s.seasonLag > 0) {
            int w = actual.length;
            int capacity = s.seasonLag * s.seasonCycles; // events the ring holds
            if (s.season == null || s.season.length != capacity * w) {
                s.season = new float[capacity * w];
                s.seasonFill = 0;
                s.seasonHead = 0;
            }
            if (s.seasonFill >= s.seasonLag) { // one season ago is known
                int jitter = Math.min(sc.seasonJitter(), (s.seasonLag - 1) / 2);
                double err = nearestSeasonError(s, actual, s.seasonLag - jitter, s.seasonLag + jitter);
                if (s.seasonCycles > 1 && s.seasonFill == capacity) { // the oldest value is exactly the cycles ago
                    err = Math.min(err, nearestSeasonError(s, actual, capacity - jitter, capacity));
                }
                if (s.seasonStats == null) {
                    s.seasonStats = new SurpriseStats();
                }
                score = Math.max(score, s.seasonStats.update(err, cfg));
            }
            System.arraycopy(actual, 0, s.season, s.seasonHead * w, w);
            s.seasonHead = (s.seasonHead + 1) % capacity;
            s.seasonFill = Math.min(s.seasonFill + 1, capacity);
        }

        // the range seen so far
        if (s.seenMin == null || s.seenMin.length != actual.length) {
            s.seenMin = actual.clone();
            s.seenMax = actual.clone();
        } else {
            for (int i = 0; i < actual.length; i++) {
                double range = (double) s.seenMax[i] - s.seenMin[i];
                double margin = sc.rangeMargin() * range;
                if (warm && surprising && sc.rangeMargin() > 0 && range > 0
                        && (actual[i] > s.seenMax[i] + margin || actual[i] < s.seenMin[i] - margin)) {
                    score = 1.0;
                }
                s.seenMin[i] = Math.min(s.seenMin[i], actual[i]);
                s.seenMax[i] = Math.max(s.seenMax[i], actual[i]);
            }
        }
        return score;
    }

    /**
     * The error against the season's value {@code fromBack} to {@code toBack} events before this one (1 = the
     * previous value), of those the ring holds, at the shift whose last {@code MATCH} values (this one and those
     * before it) are closest to the key's own last ones: the shift is chosen by the pattern, not by this event's
     * noise.
     */
    private static double nearestSeasonError(KeyState s, float[] actual, int fromBack, int toBack) {
        int capacity = s.seasonLag * s.seasonCycles;
        int w = actual.length;
        double best = Double.POSITIVE_INFINITY;
        double bestMatch = Double.POSITIVE_INFINITY;
        for (int back = Math.max(1, fromBack); back <= Math.min(toBack, s.seasonFill); back++) {
            double err = seasonError(s, actual, Math.floorMod(s.seasonHead - back, capacity));
            double sum = err * err;
            int n = 1;
            for (int i = 1; i < MATCH && back + i <= s.seasonFill; i++) {
                int mine = Math.floorMod(s.seasonHead - i, capacity) * w;
                int ref = Math.floorMod(s.seasonHead - back - i, capacity) * w;
                double d2 = 0;
                for (int f = 0; f < w; f++) {
                    double d = (double) s.season[mine + f] - s.season[ref + f];
                    d2 += d * d;
                }
                sum += d2 / w;
                n++;
            }
            double match = sum / n;
            if (match < bestMatch) {
                bestMatch = match;
                best = err;
            }
        }
        return best;
    }
    /**
     * Values that choose a season's shift: this event's and the 3 before it. The smallest difference of this
     * event alone would pick, on a flat stretch, whichever neighbour its noise happens to be close to, so the
     * key's typical season error would shrink to a fraction of its noise and any bump would look surprising; a
     * shift chosen by 4 values follows the pattern. On NAB's development files (seed 1) 1 and 4 values score
     * the same (71.55 and 71.49), 8 lower (69.76); on {@code SensorScoreTest}'s shifting daily bump 4 halves
     * the false alarms of 1.
     */
    static final int MATCH = 4;

    /** RMSE over the features between this event's values and the ring's values at {@code slot}. */
    private static double seasonError(KeyState s, float[] actual, int slot) {
        int w = actual.length;
        double sum = 0;
        for (int i = 0; i < w; i++) {
            double d = (double) actual[i] - s.season[slot * w + i];
            sum += d * d;
        }
        return Math.sqrt(sum / w);
    }

    /**
     * The spike rule on the change from the key's previous value, which no model shapes: a model that forecasts
     * a key badly (a fleet model far from this key's level, say) has large typical errors, and a spike inside
     * them would pass the rule on the forecast error. A change counts into the typical change only up to the
     * spike factor's bound, so one spike does not blind the rule to the next.
     */
    private static boolean spike(KeyState s, float[] actual, PredictorConfig cfg) {
        double factor = cfg.sensorScoring().spikeFactor();
        if (s.lastValues == null || s.lastValues.length != actual.length) {
            s.lastValues = actual.clone();
            s.changeCount = 0;
            s.changeScale = 0;
            return false;
        }
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = (double) actual[i] - s.lastValues[i];
            sum += d * d;
        }
        System.arraycopy(actual, 0, s.lastValues, 0, actual.length);
        double change = Math.sqrt(sum / actual.length);
        double typical = s.changeScale;
        boolean spike = factor > 0 && s.changeCount >= cfg.warmupEvents() && typical > 0 && change > factor * typical;
        double folded = factor > 0 && s.changeCount > 0 && typical > 0 ? Math.min(change, factor * typical) : change;
        s.changeScale += Math.max(cfg.sensorScoring().scaleAlpha(), 1.0 / (s.changeCount + 1)) * (folded - typical);
        s.changeCount++;
        return spike;
    }
}

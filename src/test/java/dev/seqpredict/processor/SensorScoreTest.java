package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sensor score on synthetic streams whose anomalies are known by construction. The "model" here is no
 * change (the forecast is the last value), so what is tested is the score alone.
 */
class SensorScoreTest {
    private static final long FIVE_MINUTES = 300_000L;
    private static final int DAY = 288; // events of 5 minutes in a day
    private static final double THRESHOLD = PredictorConfig.DEFAULTS.anomalyThreshold();
    /**
     * False alarm episodes allowed per 1,000 ordinary events: a cluster of large noise, or a new extreme the
     * forecast did not expect, now and then (ever rarer as the key's history grows).
     */
    private static final int AT_MOST_PER_1000 = 1;
    private static final int EPISODE = 20;

    /** Scores of a stream under "no change" forecasts. */
    private static double[] scores(double[] values, PredictorConfig cfg) {
        KeyState s = new KeyState();
        double[] out = new double[values.length];
        float[] last = {(float) values[0]};
        for (int t = 0; t < values.length; t++) {
            float[] x = {(float) values[t]};
            if (t > 0) {
                out[t] = SensorScore.update(s, KeyedPredictor.rmse(last, x), x, t * FIVE_MINUTES, cfg);
            }
            s.events++;
            s.lastTs = t * FIVE_MINUTES;
            last = x;
        }
        return out;
    }

    private static double[] noise(int n, double level, double sd, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double g = 0; // a sum of 12 uniforms: close enough to a Gaussian for noise
            for (int k = 0; k < 12; k++) {
                g += r.nextDouble();
            }
            v[i] = level + sd * (g - 6);
        }
        return v;
    }

    private static double[] daily(int days, double noiseSd, long seed) {
        double[] v = noise(days * DAY, 0, noiseSd, seed);
        for (int i = 0; i < v.length; i++) {
            v[i] += 50 + 20 * Math.sin(2 * Math.PI * i / DAY);
        }
        return v;
    }

    /**
     * Alarm episodes in [from, to): events at or above the threshold, where alarms less than {@link #EPISODE}
     * events after the previous one belong to the same episode (one incident, as alarm suppression reports it).
     */
    private static int alarmsIn(double[] s, int from, int to) {
        int n = 0;
        int last = Integer.MIN_VALUE / 2;
        for (int i = from; i < to; i++) {
            if (s[i] >= THRESHOLD) {
                if (i - last >= EPISODE) {
                    n++;
                }
                last = i;
            }
        }
        return n;
    }

    @Test
    void aSingleSpikeOrDropToALevelNeverSeenScoresOneAtThatEvent() {
        for (double jump : new double[] {+30, -30}) {
            double[] v = noise(3000, 50, 1, 7);
            v[2000] += jump;
            double[] s = scores(v, PredictorConfig.DEFAULTS);
            assertThat(s[2000]).as("jump %s", jump).isEqualTo(1.0);
            assertThat(alarmsIn(s, 100, 2000)).as("false alarms on plain noise before it").isLessThanOrEqualTo(AT_MOST_PER_1000 * 2);
        }
    }

    @Test
    void plainNoiseAndARegularDailyCycleRaiseNoAlarm() {
        for (long seed = 1; seed <= 5; seed++) {
            assertThat(alarmsIn(scores(noise(6000, 50, 1, seed), PredictorConfig.DEFAULTS), 100, 6000)).as("noise, seed %d", seed)
                    .isLessThanOrEqualTo(AT_MOST_PER_1000 * 6);
            assertThat(alarmsIn(scores(daily(8, 0.5, seed), PredictorConfig.DEFAULTS), 100, 8 * DAY)).as("daily, seed %d", seed)
                    .isLessThanOrEqualTo(AT_MOST_PER_1000 * 2);
        }
    }

    @Test
    void aMissingDailyPeakWithinTheSeenRangeIsFoundByTheSeasonAndOnlyByIt() {
        double[] v = daily(8, 0.5, 13);
        int from = 6 * DAY + DAY / 8;     // day 7: from 3 a.m. to 9 a.m. the value stays where it was
        int to = 6 * DAY + 3 * DAY / 8;
        for (int i = from; i < to; i++) {
            v[i] = v[from - 1] + (v[i] - 50 - 20 * Math.sin(2 * Math.PI * i / DAY)); // the level freezes, the noise goes on
        }
        PredictorConfig withSeason = PredictorConfig.DEFAULTS;
        PredictorConfig noSeason = PredictorConfig.DEFAULTS.withSensorScoring(SensorScoring.DEFAULTS.withSeason(0, 0));
        assertThat(alarmsIn(scores(v, withSeason), from, to + DAY / 8)).isPositive();
        assertThat(alarmsIn(scores(v, noSeason), from, to + DAY / 8)).as("a one-step forecast follows the flat stretch").isZero();
        assertThat(alarmsIn(scores(v, withSeason), 100, from)).as("alarms before it").isLessThanOrEqualTo(AT_MOST_PER_1000 * 2);
    }

    @Test
    void theScoreDoesNotDependOnTheStreamsScaleOrLevel() {
        double[] v = daily(4, 1, 17);
        v[3 * DAY] += 15;
        double[] w = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            w[i] = 1000 * v[i] + 40_000;
        }
        double[] a = scores(v, PredictorConfig.DEFAULTS);
        double[] b = scores(w, PredictorConfig.DEFAULTS);
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).as("event %d", i).isCloseTo(a[i], within(1e-3));
        }
    }

    @Test
    void theSeasonIsOnlyKeptWhenADayHoldsFewEnoughEvents() {
        KeyState s = new KeyState();
        PredictorConfig cfg = PredictorConfig.DEFAULTS;
        s.events = 1;
        s.lastTs = 0;
        SensorScore.update(s, 0, new float[] {1}, 1_000, cfg); // 1 s apart: 86,400 events a day
        assertThat(s.seasonLag).isZero();
        assertThat(s.season).isNull();
        KeyState t = new KeyState();
        t.events = 1;
        SensorScore.update(t, 0, new float[] {1}, FIVE_MINUTES, cfg);
        assertThat(t.seasonLag).isEqualTo(DAY);
        assertThat(t.seasonCycles).isEqualTo(7);
        assertThat(t.season).as("a week of 5-minute values: 2,016 ≤ 2,048").hasSize(7 * DAY);
        KeyState u = new KeyState();
        u.events = 1;
        SensorScore.update(u, 0, new float[] {1}, 60_000, cfg); // 1 minute: a day fits (1,440), a week does not
        assertThat(u.seasonLag).isEqualTo(1440);
        assertThat(u.seasonCycles).isEqualTo(1);
        assertThat(u.season).hasSize(1440);
    }

    /** Weekdays with a daily cycle, weekends flat at the mean; the weekday {@code holiday} (if ≥ 0) is flat too. */
    private static double[] weekly(int days, int holiday, long seed) {
        double[] v = noise(days * DAY, 0, 0.5, seed);
        for (int i = 0; i < v.length; i++) {
            int day = i / DAY;
            boolean flat = day % 7 >= 5 || day == holiday;
            v[i] += 50 + (flat ? 0 : 20 * Math.sin(2 * Math.PI * i / DAY));
        }
        return v;
    }

    @Test
    void aWeekendThatIsLikeLastWeeksPassesAndAHolidayThatIsLikeNeitherReferenceIsFound() {
        int holiday = 16; // a Wednesday of the third week (days 0-4 are weekdays, 5-6 the weekend)
        PredictorConfig week = PredictorConfig.DEFAULTS;
        PredictorConfig dayOnly = PredictorConfig.DEFAULTS.withSensorScoring(SensorScoring.DEFAULTS.withSeasonCycles(1));
        double[] plain = weekly(21, -1, 5);
        double[] withHoliday = weekly(21, holiday, 5);
        // the second and third weekends and the Mondays after them, once a week of history is there
        int[][] weekends = {{12 * DAY, 15 * DAY}, {19 * DAY, 21 * DAY}};
        for (int[] w : weekends) {
            assertThat(alarmsIn(scores(plain, week), w[0], w[1])).as("weekend %d with last week", w[0] / DAY).isZero();
        }
        int dayOnlyAlarms = 0;
        for (int[] w : weekends) {
            dayOnlyAlarms += alarmsIn(scores(plain, dayOnly), w[0], w[1]);
        }
        assertThat(dayOnlyAlarms).as("compared with the day before only, a weekend's start and end look odd").isPositive();
        assertThat(alarmsIn(scores(withHoliday, week), holiday * DAY, (holiday + 1) * DAY)).as("the holiday").isPositive();
        assertThat(alarmsIn(scores(withHoliday, week), 7 * DAY, holiday * DAY)).as("alarms before it, after the first week")
                .isLessThanOrEqualTo(AT_MOST_PER_1000 * 3);
    }

    /**
     * A daily two-hour bump (a nightly job) that comes up to 3 events (15 minutes) earlier or later than the day
     * before, within half an hour of 3 a.m.; on day {@code missing} (if ≥ 0) it does not come.
     */
    private static double[] jitteredBump(int days, int missing, long seed) {
        double[] v = noise(days * DAY, 50, 0.5, seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        int shift = 0;
        for (int day = 0; day < days; day++) {
            shift = Math.max(-6, Math.min(6, shift + r.nextInt(-3, 4)));
            if (day == missing) {
                continue;
            }
            int centre = day * DAY + DAY / 8 + shift;
            for (int i = Math.max(0, centre - 48); i < Math.min(v.length, centre + 48); i++) {
                double z = (i - centre) / 12.0;
                v[i] += 20 * Math.exp(-z * z / 2);
            }
        }
        return v;
    }

    @Test
    void aDailyPatternThatShiftsByAFewEventsIsRarelyFlaggedButOneThatDoesNotComeIs() {
        PredictorConfig jitter = PredictorConfig.DEFAULTS;
        PredictorConfig exact = PredictorConfig.DEFAULTS.withSensorScoring(SensorScoring.DEFAULTS.withSeasonJitter(0));
        assertThat(SensorScoring.DEFAULTS.seasonJitter()).isEqualTo(3);
        int jitterAlarms = 0;
        int exactAlarms = 0;
        for (long seed = 1; seed <= 8; seed++) {
            double[] v = jitteredBump(10, -1, seed);
            jitterAlarms += alarmsIn(scores(v, jitter), 2 * DAY, 10 * DAY);
            exactAlarms += alarmsIn(scores(v, exact), 2 * DAY, 10 * DAY);
            double[] missing = jitteredBump(10, 8, seed);
            assertThat(alarmsIn(scores(missing, jitter), 8 * DAY, 9 * DAY)).as("the bump that did not come, seed %d", seed)
                    .isPositive();
            assertThat(alarmsIn(scores(missing, jitter), 2 * DAY, 8 * DAY)).as("alarms before it, seed %d", seed)
                    .isLessThanOrEqualTo(AT_MOST_PER_1000 * 2);
        }
        // 8 seeds × 8 days of 288 events: 18,432 events
        assertThat(jitterAlarms).as("alarms on shifting bumps, allowing the shift").isLessThanOrEqualTo(AT_MOST_PER_1000 * 8);
        assertThat(exactAlarms).as("compared with the exact point a day earlier, a bump 15 minutes late is a surprise")
                .isGreaterThanOrEqualTo(2 * jitterAlarms).isGreaterThan(jitterAlarms);
    }

    @Test
    void tailProbabilityAndLogScaleMatchTheNormalDistribution() {
        // P(Z > z) from tables: 1.96 → 0.0249979, 4.2649 → 1.0e-5, 6 → 9.8659e-10
        assertThat(SurpriseStats.upperTail(1.96)).isCloseTo(0.0249979, within(1e-7));
        assertThat(SurpriseStats.upperTail(4.264891) / 1e-5).isCloseTo(1.0, within(1e-5));
        assertThat(SurpriseStats.upperTail(6) / 9.8658765e-10).isCloseTo(1.0, within(1e-5));
        assertThat(SurpriseStats.upperTail(-1.96)).isCloseTo(1 - 0.0249979, within(1e-7));
        assertThat(SurpriseStats.logScale(1e-5)).isCloseTo(0.5, within(1e-4));
        assertThat(SurpriseStats.logScale(0.5)).isCloseTo(Math.log(0.5) / Math.log(1e-10), within(1e-9));
        assertThat(SurpriseStats.logScale(0)).isEqualTo(1.0);
    }

    /**
     * A forecaster that misses this key by a wide margin (as a fleet model far from the key's level does) has
     * large typical errors; a spike inside them is still a spike of the key's own values, and the spike rule on
     * the change from the previous value flags it, the second one as well as the first.
     */
    @Test
    void spikesAreFlaggedEvenWhenTheForecastsAreFarOff() {
        PredictorConfig cfg = PredictorConfig.DEFAULTS.withSensorScoring(SensorScoring.DEFAULTS.withSeason(0, 0));
        double[] v = noise(200, 30, 0.3, 11);
        v[60] += 10; // 10 is less than 6 × the forecasts' typical error of 8 below, and more than 30 typical changes
        v[120] -= 10;
        KeyState s = new KeyState();
        double[] score = new double[v.length];
        for (int t = 1; t < v.length; t++) {
            float[] x = {(float) v[t]};
            float forecast = (float) (v[t - 1] + 8); // always 8 above the previous value
            score[t] = SensorScore.update(s, Math.abs(x[0] - forecast), x, t * FIVE_MINUTES, cfg);
            s.events++;
            s.lastTs = t * FIVE_MINUTES;
        }
        assertThat(score[60]).isEqualTo(1.0);
        assertThat(score[120]).isEqualTo(1.0);
        int others = 0;
        for (int t = 1; t < v.length; t++) {
            if (t != 60 && t != 61 && t != 120 && t != 121 && score[t] >= THRESHOLD) {
                others++;
            }
        }
        assertThat(others).as("other events flagged").isZero();
        // with the spike rule off (nab's setting) neither spike reaches the threshold from the change alone
        PredictorConfig off = cfg.withSensorScoring(cfg.sensorScoring().withSpikeFactor(0));
        KeyState o = new KeyState();
        double at60 = 0;
        for (int t = 1; t <= 60; t++) {
            float[] x = {(float) v[t]};
            at60 = SensorScore.update(o, Math.abs(x[0] - (float) (v[t - 1] + 8)), x, t * FIVE_MINUTES, off);
            o.events++;
            o.lastTs = t * FIVE_MINUTES;
        }
        assertThat(at60).isLessThan(THRESHOLD);
    }
}

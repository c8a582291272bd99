package dev.seqpredict.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed NAB scores. One file of 100 rows, one minute apart; probationary period
 * floor(0.15 * 100) = 15 rows; one window on rows 50..59 (width 10). S(x) = 2 / (1 + e^(5x)) - 1 = -tanh(2.5x).
 * Standard profile unless said otherwise: null = -1 (one missed window), perfect = 1.
 */
class NabScorerTest {

    static final String FILE = "cat/f.csv";
    static final LocalDateTime T0 = LocalDateTime.of(2014, 2, 19, 0, 0);
    static final int N = 100;
    static final NabLabels ONE_WINDOW = labels(new int[][] {{50, 59}});
    static final double EPS = 1e-12;

    static LocalDateTime t(int row) {
        return T0.plusMinutes(row);
    }

    static NabLabels labels(int[][] windowRows) {
        return new NabLabels(Map.of(FILE, Arrays.stream(windowRows)
                .map(w -> new NabWindow(t(w[0]), t(w[1]))).toList()));
    }

    /** A result file with anomaly score 0 everywhere except the given rows. */
    static List<NabResultFile> firing(double score, int... rows) {
        double[] s = new double[N];
        for (int r : rows) {
            s[r] = score;
        }
        return result(s);
    }

    static List<NabResultFile> result(double[] scores) {
        LocalDateTime[] ts = new LocalDateTime[scores.length];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = t(i);
        }
        return List.of(new NabResultFile(FILE, ts, scores));
    }

    static NabResult score(List<NabResultFile> r) {
        return NabScorer.score("d", r, ONE_WINDOW, Profile.STANDARD);
    }

    @Test
    void scaledSigmoidMatchesNabDocstringValues() {
        assertThat(NabScorer.scaledSigmoid(-1.0)).isCloseTo(0.98661, within(1e-5));
        assertThat(NabScorer.scaledSigmoid(-0.5)).isCloseTo(0.84828, within(1e-5));
        assertThat(NabScorer.scaledSigmoid(0.0)).isEqualTo(0.0);
        assertThat(NabScorer.scaledSigmoid(1.0)).isCloseTo(-0.98661, within(1e-5));
        assertThat(NabScorer.scaledSigmoid(3.0)).isEqualTo(-1.0);
        assertThat(NabScorer.scaledSigmoid(2.999)).isGreaterThan(-1.0);
    }

    @Test
    void probationaryPeriodIsFifteenPercentCappedAt750Rows() {
        assertThat(NabScorer.probationaryLength(100)).isEqualTo(15.0);
        assertThat(NabScorer.probationaryLength(1882)).isEqualTo(282.0);  // floor(282.3)
        assertThat(NabScorer.probationaryLength(4032)).isEqualTo(604.0);  // floor(604.8)
        assertThat(NabScorer.probationaryLength(5000)).isEqualTo(750.0);
        assertThat(NabScorer.probationaryLength(22695)).isEqualTo(750.0); // capped
    }

    @Test
    void profilesHaveNabWeights() {
        assertThat(Profile.fromName("standard")).isEqualTo(Profile.STANDARD);
        assertThat(Profile.fromName("reward_low_FP_rate").fpWeight()).isEqualTo(0.22);
        assertThat(Profile.fromName("reward-low-fn-rate").fnWeight()).isEqualTo(2.0);
        assertThat(Profile.STANDARD.fpWeight()).isEqualTo(0.11);
        assertThatThrownBy(() -> Profile.fromName("nope")).hasMessageContaining("reward_low_FN_rate");
    }

    @Test
    void detectionAtWindowStartScoresExactly100() {
        NabResult r = score(firing(1.0, 50));
        assertThat(r.threshold()).isEqualTo(1.0);
        assertThat(r.rawScore()).isEqualTo(1.0);
        assertThat(r.nullScore()).isEqualTo(-1.0);
        assertThat(r.perfectScore()).isEqualTo(1.0);
        assertThat(r.normalizedScore()).isEqualTo(100.0);
        assertThat(r.windowsDetected()).isEqualTo(1);
        assertThat(r.windowsMissed()).isZero();
        assertThat(r.fpDetections()).isZero();
        // rows after probation: 85, of which 10 in the window; 1 detected window row
        assertThat(r.counts()).isEqualTo(new NabCounts(1, 75, 0, 9));
        assertThat(r.files()).singleElement().satisfies(f -> {
            assertThat(f.rows()).isEqualTo(100);
            assertThat(f.probationaryRows()).isEqualTo(15);
            assertThat(f.rawScore()).isEqualTo(1.0);
        });
    }

    @Test
    void detectionAtWindowEndScoresTheSigmoidOfItsPosition() {
        // position -(59 - 59 + 1) / 10 = -0.1; value S(-0.1) / S(-1) = tanh(0.25) / tanh(2.5)
        NabResult r = score(firing(1.0, 59));
        assertThat(r.rawScore()).isCloseTo(0.24824154977542992, within(EPS));
        assertThat(r.normalizedScore()).isCloseTo(62.4120774887715, within(1e-9)); // 100 * (0.248 + 1) / 2
        assertThat(r.windowsDetected()).isEqualTo(1);
    }

    @Test
    void onlyTheEarliestDetectionInAWindowCounts() {
        // rows 52 and 55: 52 is earliest, position -(59 - 52 + 1) / 10 = -0.8; the later one adds nothing
        NabResult r = score(firing(1.0, 55, 52));
        assertThat(r.rawScore()).isCloseTo(0.9771068409226045, within(EPS));
        assertThat(r.counts().tp()).isEqualTo(2);
        assertThat(r.windowsDetected()).isEqualTo(1);
    }

    @Test
    void detectionOutsideTheWindowIsAWeightedFalsePositive() {
        // row 70: position |59 - 70| / (10 - 1) = 11/9, value 0.11 * S(11/9) = -0.1095...
        NabResult at1 = NabScorer.scoreAt("d", firing(1.0, 70), ONE_WINDOW, Profile.STANDARD, 1.0);
        assertThat(at1.rawScore()).isCloseTo(-1 - 0.10951310130369775, within(EPS));
        assertThat(at1.normalizedScore()).isCloseTo(-5.475655065184892, within(1e-9));
        assertThat(at1.fpDetections()).isEqualTo(1);
        assertThat(at1.windowsMissed()).isEqualTo(1);
        // the sweep prefers never firing: threshold 1.1, score = null = 0
        NabResult best = score(firing(1.0, 70));
        assertThat(best.threshold()).isEqualTo(NabScorer.NO_DETECTION_THRESHOLD);
        assertThat(best.normalizedScore()).isEqualTo(0.0);
    }

    @Test
    void falsePositiveJustAfterAWindowIsCheap() {
        // row 60: position 1/9, value 0.11 * S(1/9) = -0.0298
        NabResult r = NabScorer.scoreAt("d", firing(1.0, 60), ONE_WINDOW, Profile.STANDARD, 1.0);
        assertThat(r.rawScore()).isCloseTo(-1 - 0.029793183036839352, within(EPS));
    }

    @Test
    void falsePositiveBeforeTheFirstWindowCostsTheFullWeight() {
        NabResult r = NabScorer.scoreAt("d", firing(1.0, 20), ONE_WINDOW, Profile.STANDARD, 1.0);
        assertThat(r.rawScore()).isCloseTo(-1.11, within(EPS));
    }

    @Test
    void detectionsInTheProbationaryPeriodAreNotScored() {
        NabResult r = NabScorer.scoreAt("d", firing(1.0, 0, 5, 14), ONE_WINDOW, Profile.STANDARD, 1.0);
        assertThat(r.rawScore()).isEqualTo(-1.0);
        assertThat(r.counts()).isEqualTo(new NabCounts(0, 75, 0, 10));
        // row 15 is the first scored row
        assertThat(NabScorer.scoreAt("d", firing(1.0, 15), ONE_WINDOW, Profile.STANDARD, 1.0).fpDetections()).isEqualTo(1);
    }

    @Test
    void neverFiringScoresZero() {
        NabResult r = score(firing(0.0));
        assertThat(r.normalizedScore()).isEqualTo(0.0);
        assertThat(r.rawScore()).isEqualTo(-1.0);
        assertThat(r.threshold()).isEqualTo(1.1);
        assertThat(r.windowsMissed()).isEqualTo(1);
    }

    @Test
    void firingEverywhereIsNegative() {
        double[] all = new double[N];
        Arrays.fill(all, 1.0);
        NabResult r = NabScorer.scoreAt("d", result(all), ONE_WINDOW, Profile.STANDARD, 1.0);
        // +1 for the window (its first row), 35 FPs before it at -0.11, 40 after at 0.11 * S((i - 59) / 9),
        // where S is clamped to -1 from position 3 on (rows 86..99)
        double expected = 1 - 35 * 0.11;
        for (int i = 60; i < N; i++) {
            double position = (i - 59) / 9.0;
            expected += 0.11 * (position >= 3 ? -1.0 : -Math.tanh(2.5 * position));
        }
        assertThat(expected).isCloseTo(-7.027960929364475, within(1e-9));
        assertThat(r.rawScore()).isCloseTo(expected, within(1e-9));
        assertThat(r.normalizedScore()).isCloseTo(-301.39804646822375, within(1e-7));
        assertThat(r.counts()).isEqualTo(new NabCounts(10, 0, 75, 0));
        // and the sweep then keeps the detector silent
        assertThat(score(result(all)).normalizedScore()).isEqualTo(0.0);
    }

    @Test
    void sweepPicksTheBestThresholdOverDistinctScores() {
        // row 50 scores 0.9, row 70 scores 0.95. Thresholds: 1.1 -> -1; 0.95 -> -1 - 0.1095; 0.9 -> 1 - 0.1095;
        // 0.0 -> everything fires (bad).
        double[] s = new double[N];
        s[50] = 0.9;
        s[70] = 0.95;
        List<NabThresholdScore> sweep = NabScorer.sweep(result(s), ONE_WINDOW, Profile.STANDARD);
        assertThat(sweep).extracting(NabThresholdScore::threshold).containsExactly(1.1, 0.95, 0.9, 0.0);
        assertThat(sweep.get(0).rawScore()).isEqualTo(-1.0);
        assertThat(sweep.get(1).rawScore()).isCloseTo(-1.10951310130369775, within(EPS));
        assertThat(sweep.get(2).rawScore()).isCloseTo(0.8904868986963023, within(EPS));
        NabResult r = score(result(s));
        assertThat(r.threshold()).isEqualTo(0.9);
        assertThat(r.rawScore()).isCloseTo(0.8904868986963023, within(EPS));
        assertThat(r.normalizedScore()).isCloseTo(94.5243449348151, within(1e-9));
    }

    @Test
    void tiesKeepTheHighestThreshold() {
        // 0.8 at the window start and 0.7 at a probationary row: both thresholds score 1.0; NAB keeps 0.8
        double[] s = new double[N];
        s[50] = 0.8;
        s[3] = 0.7;
        assertThat(score(result(s)).threshold()).isEqualTo(0.8);
    }

    @Test
    void otherProfilesUseTheirWeights() {
        NabResult fn = NabScorer.score("d", firing(1.0, 59), ONE_WINDOW, Profile.REWARD_LOW_FN_RATE);
        assertThat(fn.nullScore()).isEqualTo(-2.0);
        assertThat(fn.normalizedScore()).isCloseTo(74.94138499251433, within(1e-9)); // 100 * (0.248 + 2) / 3
        NabResult fp = NabScorer.scoreAt("d", firing(1.0, 50, 70), ONE_WINDOW, Profile.REWARD_LOW_FP_RATE, 1.0);
        assertThat(fp.rawScore()).isCloseTo(1 - 0.2190262026073955, within(EPS));
    }

    @Test
    void windowInsideTheProbationaryPeriodIsNeverMissedButCountsAsPerfect() {
        // NAB quirk: perfect = tpWeight * all windows, null only counts windows with a scorable row
        NabLabels two = labels(new int[][] {{5, 9}, {50, 59}});
        NabResult silent = NabScorer.score("d", firing(0.0), two, Profile.STANDARD);
        assertThat(silent.nullScore()).isEqualTo(-1.0);
        assertThat(silent.perfectScore()).isEqualTo(2.0);
        assertThat(silent.normalizedScore()).isEqualTo(0.0);
        NabResult best = NabScorer.score("d", firing(1.0, 50), two, Profile.STANDARD);
        assertThat(best.normalizedScore()).isCloseTo(100 * 2.0 / 3.0, within(1e-9));
        // an FP after the probationary window is measured from that window: row 20, |9 - 20| / (5 - 1)
        NabResult fp = NabScorer.scoreAt("d", firing(1.0, 20), two, Profile.STANDARD, 1.0);
        assertThat(fp.rawScore()).isCloseTo(-1 + 0.11 * NabScorer.scaledSigmoid(11 / 4.0), within(EPS));
    }

    @Test
    void secondWindowScoresFalsePositivesFromThePrecedingWindow() {
        NabLabels two = labels(new int[][] {{30, 39}, {70, 79}});
        // row 45 after window 1 (|39-45|/9); row 85 after window 2 (|79-85|/9); both windows detected at start
        NabResult r = NabScorer.scoreAt("d", firing(1.0, 30, 45, 70, 85), two, Profile.STANDARD, 1.0);
        double fp = 0.11 * NabScorer.scaledSigmoid(6 / 9.0);
        assertThat(r.rawScore()).isCloseTo(2 + 2 * fp, within(EPS));
        assertThat(r.windowsDetected()).isEqualTo(2);
        assertThat(r.normalizedScore()).isCloseTo(100 * (2 + 2 * fp + 2) / 4, within(1e-9));
    }

    @Test
    void windowsMatchRowsByTimestampIncludingLabelFractions() {
        NabLabels l = new NabLabels(Map.of(FILE, List.of(
                NabWindow.parse("2014-02-19 00:50:00.000000", "2014-02-19 00:59:00.000000"))));
        assertThat(NabScorer.score("d", firing(1.0, 50), l, Profile.STANDARD).normalizedScore()).isEqualTo(100.0);
    }

    @Test
    void rowsInRowOrderEvenWithDuplicateAndBackwardTimestamps() {
        // rows 0..99 but rows 20..29 repeat the timestamps of rows 10..19 (a DST-like step back)
        LocalDateTime[] ts = new LocalDateTime[N];
        for (int i = 0; i < N; i++) {
            ts[i] = (i >= 20 && i < 30) ? t(i - 10) : t(i);
        }
        double[] s = new double[N];
        s[50] = 1.0;
        NabResult r = NabScorer.score("d", List.of(new NabResultFile(FILE, ts, s)), ONE_WINDOW, Profile.STANDARD);
        assertThat(r.normalizedScore()).isEqualTo(100.0);
    }

    @Test
    void rejectsMismatchedInputs() {
        assertThatThrownBy(() -> NabScorer.score("d", List.of(), ONE_WINDOW, Profile.STANDARD))
                .hasMessageContaining("no results").hasMessageContaining(FILE);
        double[] s = new double[N];
        s[3] = Double.NaN;
        assertThatThrownBy(() -> result(s)).hasMessageContaining("NaN");
        NabLabels outside = new NabLabels(Map.of(FILE, List.of(new NabWindow(t(200), t(210)))));
        assertThatThrownBy(() -> NabScorer.score("d", firing(0.0), outside, Profile.STANDARD))
                .hasMessageContaining("covers no row");
        assertThatThrownBy(() -> labels(new int[][] {{10, 20}, {20, 30}})).hasMessageContaining("overlapping");
    }
}

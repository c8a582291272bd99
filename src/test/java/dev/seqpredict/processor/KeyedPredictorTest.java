package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.testing.TestModels;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyedPredictorTest {

    private final RecurrentModel v1 = TestModels.regression(1, CellType.LSTM, 2, 8, 2, "m", "1");
    private final RecurrentModel v2 = TestModels.regression(2, CellType.LSTM, 2, 8, 2, "m", "2");
    private final ServingModel m1 = ServingModel.of("m", v1);
    private final ServingModel m2 = ServingModel.of("m", v2);

    private static float[][] inputs(int n, long seed) {
        Random r = new Random(seed);
        float[][] xs = new float[n][];
        for (int i = 0; i < n; i++) {
            xs[i] = new float[] {(float) Math.sin(i / 5.0) + 0.1f * (float) r.nextGaussian(), 10 + r.nextFloat()};
        }
        return xs;
    }

    private static Outcome.Predicted predicted(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Predicted.class);
        return (Outcome.Predicted) o;
    }

    private KeyState run(KeyedPredictor p, KeyState s, ServingModel m, float[][] xs, int from, int to) {
        for (int t = from; t < to; t++) {
            s = predicted(p.process(s, Event.sensor("k", t, xs[t]), m)).state();
        }
        return s;
    }

    @Test
    void predictionsAreTheCoreSteppedOneEventAtATime() {
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS);
        float[][] xs = inputs(30, 1);
        float[][] expected = v1.forward(xs);
        KeyState s = null;
        for (int t = 0; t < xs.length; t++) {
            Outcome.Predicted o = predicted(p.process(s, Event.sensor("k", t, xs[t]), m1));
            s = o.state();
            assertThat(o.prediction().values()).containsExactly(expected[t]);
            assertThat(o.prediction().version()).isEqualTo("1");
            assertThat(o.prediction().events()).isEqualTo(t + 1);
            if (t == 0) {
                assertThat(o.prediction().error()).isNaN();
            } else {
                float d0 = xs[t][0] - expected[t - 1][0];
                float d1 = xs[t][1] - expected[t - 1][1];
                assertThat(o.prediction().error()).isCloseTo((float) Math.sqrt((d0 * d0 + d1 * d1) / 2), within(1e-5f));
            }
        }
    }

    @Test
    void keysAreIndependent() {
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS);
        float[][] a = inputs(10, 1);
        float[][] b = inputs(10, 2);
        KeyState sa = null;
        KeyState sb = null;
        for (int t = 0; t < 10; t++) { // interleaved
            sa = predicted(p.process(sa, Event.sensor("a", t, a[t]), m1)).state();
            sb = predicted(p.process(sb, Event.sensor("b", t, b[t]), m1)).state();
        }
        assertThat(sa.lastPrediction()).containsExactly(v1.forward(a)[9]);
        assertThat(sb.lastPrediction()).containsExactly(v1.forward(b)[9]);
    }

    @Test
    void rejectedEventsLeaveTheStateUntouched() {
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS);
        KeyState s = run(p, null, m1, inputs(5, 1), 0, 5);
        byte[] before = KeyStateCodec.toBytes(s);
        Object[][] bad = {
                {Event.sensor("k", 9, 1f), RejectReason.WRONG_ARITY},
                {Event.sensor("k", 9, 1f, Float.NaN), RejectReason.NON_FINITE},
                {Event.log("k", 9, "3"), RejectReason.WRONG_KIND},
        };
        for (Object[] b : bad) {
            Outcome o = p.process(s, (Event) b[0], m1);
            assertThat(o).isInstanceOf(Outcome.Rejected.class);
            assertThat(((Outcome.Rejected) o).rejection().reason()).isEqualTo(b[1]);
        }
        assertThat(((Outcome.Rejected) p.process(s, Event.sensor("k", 9, 1, 2), null)).rejection().reason())
                .isEqualTo(RejectReason.NO_MODEL);
        assertThat(KeyStateCodec.toBytes(s)).isEqualTo(before);
    }

    @Test
    void resetStartsTheKeyFreshUnderTheNewModel() {
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withSwapPolicy(SwapPolicy.RESET));
        float[][] xs = inputs(20, 3);
        KeyState s = run(p, null, m1, xs, 0, 10);
        Outcome.Predicted o = predicted(p.process(s, Event.sensor("k", 10, xs[10]), m2));
        assertThat(o.prediction().swapped()).isTrue();
        assertThat(o.prediction().version()).isEqualTo("2");
        assertThat(o.prediction().values()).containsExactly(v2.forward(new float[][] {xs[10]})[0]);
        Outcome.Predicted next = predicted(p.process(o.state(), Event.sensor("k", 11, xs[11]), m2));
        assertThat(next.prediction().swapped()).isFalse();
    }

    @Test
    void rewarmReplaysTheLastWInputsThroughTheNewModel() {
        int w = 4;
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withSwapPolicy(SwapPolicy.REWARM).withRewarmWindow(w));
        float[][] xs = inputs(20, 4);
        KeyState s = run(p, null, m1, xs, 0, 10);
        Outcome.Predicted o = predicted(p.process(s, Event.sensor("k", 10, xs[10]), m2));
        float[][] replay = java.util.Arrays.copyOfRange(xs, 10 - w, 11); // last W inputs, then this event
        float[][] expected = v2.forward(replay);
        assertThat(o.prediction().values()).containsExactly(expected[w]);
        // and not what a reset would give
        assertThat(o.prediction().values()).isNotEqualTo(v2.forward(new float[][] {xs[10]})[0]);
    }

    @Test
    void keepCarriesTheHiddenStateIntoTheNewModel() {
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withSwapPolicy(SwapPolicy.KEEP));
        float[][] xs = inputs(20, 5);
        KeyState s = run(p, null, m1, xs, 0, 10);
        float[] h = s.recurrentState();
        Outcome.Predicted o = predicted(p.process(s, Event.sensor("k", 10, xs[10]), m2));
        float[] y = new float[2];
        v2.step(h, xs[10], y);
        assertThat(o.prediction().values()).containsExactly(y);
    }

    @Test
    void keepFallsBackToResetWhenTheStateShapeChanges() {
        ServingModel gru = ServingModel.of("m", TestModels.regression(3, CellType.GRU, 2, 16, 1, "m", "3"));
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withSwapPolicy(SwapPolicy.KEEP));
        float[][] xs = inputs(12, 6);
        KeyState s = run(p, null, m1, xs, 0, 10);
        Outcome.Predicted o = predicted(p.process(s, Event.sensor("k", 10, xs[10]), gru));
        assertThat(o.state().recurrentState()).hasSize(16);
        assertThat(o.prediction().values()).containsExactly(gru.model().forward(new float[][] {xs[10]})[0]);
    }

    @Test
    void logEventsAreScoredAgainstTheTopGPredictedBeforeThem() {
        RecurrentModel logs = TestModels.classification(7, CellType.LSTM, 12, 16, 1, "logs", "1");
        ServingModel m = ServingModel.of("logs", logs);
        KeyedPredictor p = new KeyedPredictor(new PredictorConfig(SwapPolicy.REWARM, 8, 3, 4, 0.999, 20, 5, 500));
        Outcome.Predicted first = predicted(p.process(null, Event.log("s", 1, "5"), m));
        assertThat(first.prediction().inTopG()).isNull();
        assertThat(first.prediction().topEvents()).hasSize(3);
        float[] before = first.state().lastPrediction();
        int[] order = KeyedPredictor.topIndices(before, before.length);
        // the most likely next event is normal; the least likely one (rank ≥ g) is an anomaly
        String likely = logs.eventName(order[0]);
        String unlikely = logs.eventName(order[order.length - 1]);
        Outcome.Predicted normal = predicted(p.process(first.state().copy(), Event.log("s", 2, likely), m));
        assertThat(normal.prediction().inTopG()).isTrue();
        assertThat(normal.prediction().anomaly()).isFalse();
        assertThat(normal.prediction().error()).isCloseTo(1 - before[order[0]], within(1e-6f));
        Outcome.Predicted odd = predicted(p.process(first.state().copy(), Event.log("s", 2, unlikely), m));
        assertThat(odd.prediction().inTopG()).isFalse();
        assertThat(odd.prediction().anomaly()).isTrue();
        assertThat(odd.prediction().anomalyScore()).isGreaterThan(normal.prediction().anomalyScore());
        assertThat(((Outcome.Rejected) p.process(null, Event.log("s", 3, "99"), m)).rejection().reason())
                .isEqualTo(RejectReason.UNKNOWN_EVENT);
    }

    @Test
    void withUnknownEventAnomalyAnUnseenIdIsPredictedAsAnAnomalyAndLeavesTheRecurrentStateAsItWas() {
        RecurrentModel logs = TestModels.classification(8, CellType.GRU, 12, 16, 1, "logs", "1");
        ServingModel m = ServingModel.of("logs", logs);
        PredictorConfig config = new PredictorConfig(SwapPolicy.REWARM, 8, 3, 4, 0.999, 20, 5, 500);
        KeyedPredictor flagging = new KeyedPredictor(config.withUnknownEventAnomaly(true));
        KeyedPredictor plain = new KeyedPredictor(config);
        String[] known = {"5", "2", "9", "2", "7", "1"};

        // the same stream with and without an unseen id in the middle
        KeyState a = null;
        KeyState b = null;
        for (int t = 0; t < 3; t++) {
            a = predicted(flagging.process(a, Event.log("s", t, known[t]), m)).state();
            b = predicted(plain.process(b, Event.log("s", t, known[t]), m)).state();
        }
        float[] recurrentBefore = a.recurrentState().clone();
        float[] forecastBefore = a.lastPrediction().clone();
        Outcome.Predicted unseen = predicted(flagging.process(a, Event.log("s", 3, "99"), m));
        Prediction u = unseen.prediction();
        assertThat(u.anomaly()).isTrue();
        assertThat(u.inTopG()).isFalse();
        assertThat(u.error()).isEqualTo(1f);
        assertThat(u.anomalyScore()).isEqualTo(1.0);
        assertThat(u.events()).isEqualTo(3);
        assertThat(u.ts()).isEqualTo(3);
        int[] order = KeyedPredictor.topIndices(forecastBefore, 3);
        assertThat(u.topEvents()).containsExactly(logs.eventName(order[0]), logs.eventName(order[1]), logs.eventName(order[2]));
        assertThat(unseen.state().recurrentState()).containsExactly(recurrentBefore);
        assertThat(unseen.state().lastPrediction()).containsExactly(forecastBefore);
        assertThat(((Outcome.Rejected) plain.process(b.copy(), Event.log("s", 3, "99"), m)).rejection().reason())
                .isEqualTo(RejectReason.UNKNOWN_EVENT);

        // the known events after it are predicted as if it had not been there
        a = unseen.state();
        for (int t = 3; t < known.length; t++) {
            Outcome.Predicted x = predicted(flagging.process(a, Event.log("s", t + 1, known[t]), m));
            Outcome.Predicted y = predicted(plain.process(b, Event.log("s", t + 1, known[t]), m));
            assertThat(x.prediction().topProbs()).containsExactly(y.prediction().topProbs());
            assertThat(x.prediction().error()).isEqualTo(y.prediction().error());
            assertThat(x.prediction().anomalyScore()).isEqualTo(y.prediction().anomalyScore());
            assertThat(x.prediction().events()).isEqualTo(y.prediction().events());
            a = x.state();
            b = y.state();
        }

        // an unseen id as a key's very first event: flagged, with no forecast yet
        Outcome.Predicted firstUnseen = predicted(flagging.process(null, Event.log("t", 0, "99"), m));
        assertThat(firstUnseen.prediction().anomaly()).isTrue();
        assertThat(firstUnseen.prediction().topEvents()).isEmpty();
        assertThat(firstUnseen.prediction().events()).isZero();
        Outcome.Predicted next = predicted(flagging.process(firstUnseen.state(), Event.log("t", 1, "5"), m));
        Outcome.Predicted fresh = predicted(plain.process(null, Event.log("t", 1, "5"), m));
        assertThat(next.prediction().topProbs()).containsExactly(fresh.prediction().topProbs());
        assertThat(next.prediction().swapped()).isFalse();
    }

    @Test
    void aSpikeScoresNearOneWhileOrdinaryNoiseRarelyDoes() {
        // the spike comes after the range check's warm-up (SensorScoring.rangeAfter, 500 events)
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS);
        float[][] xs = inputs(800, 8);
        int at = 750;
        xs[at] = new float[] {xs[at][0] + 25, xs[at][1]};
        KeyState s = null;
        int flaggedBefore = 0;
        double spikeScore = 0;
        for (int t = 0; t < xs.length; t++) {
            Outcome.Predicted o = predicted(p.process(s, Event.sensor("k", t, xs[t]), m1));
            s = o.state();
            assertThat(o.prediction().anomalyScore()).isBetween(0.0, 1.0);
            if (t < at && o.prediction().anomaly()) {
                flaggedBefore++;
            }
            if (t == at) {
                spikeScore = o.prediction().anomalyScore();
                assertThat(o.prediction().anomaly()).isTrue();
            }
        }
        assertThat(spikeScore).isEqualTo(1.0);
        assertThat(flaggedBefore).isLessThanOrEqualTo(at / 1000 + 1);
    }

    @Test
    void alarmsAreSuppressedForTheConfiguredNumberOfEventsAfterOne() throws java.io.IOException {
        float[][] xs = inputs(800, 8);
        for (int t = 750; t < 760; t++) { // a lasting incident: every event is far off
            xs[t] = new float[] {xs[t][0] + 25 + (t - 750), xs[t][1]};
        }
        int suppress = 30;
        KeyedPredictor plain = new KeyedPredictor(PredictorConfig.DEFAULTS);
        KeyedPredictor quiet = new KeyedPredictor(PredictorConfig.DEFAULTS.withAlarms(PredictorConfig.DEFAULTS.anomalyThreshold(), suppress));
        KeyState a = null;
        KeyState b = null;
        java.util.List<Integer> alarmsPlain = new java.util.ArrayList<>();
        java.util.List<Integer> alarmsQuiet = new java.util.ArrayList<>();
        for (int t = 0; t < xs.length; t++) {
            Outcome.Predicted pa = predicted(plain.process(a, Event.sensor("k", t, xs[t]), m1));
            Outcome.Predicted pb = predicted(quiet.process(b, Event.sensor("k", t, xs[t]), m1));
            a = pa.state();
            b = pb.state();
            if (pa.prediction().anomaly()) {
                alarmsPlain.add(t);
            }
            if (pb.prediction().anomaly()) {
                alarmsQuiet.add(t);
            }
            if (t > 750 && t <= 750 + suppress && alarmsQuiet.contains(750)) {
                assertThat(pb.prediction().anomalyScore()).isLessThanOrEqualTo(PredictorConfig.SUPPRESSED_SCORE);
            }
        }
        assertThat(alarmsPlain.stream().filter(t -> t >= 750 && t < 760).count()).isGreaterThan(1);
        assertThat(alarmsQuiet).contains(750);
        assertThat(alarmsQuiet.stream().filter(t -> t > 750 && t <= 750 + suppress)).isEmpty();
        // the state (and the suppression) survives the codec
        assertThat(KeyStateCodec.toBytes(b)).isEqualTo(KeyStateCodec.toBytes(KeyStateCodec.fromBytes(KeyStateCodec.toBytes(b))));
    }

    @Test
    void normalCdfIsAccurate() {
        assertThat(AnomalyScore.normalCdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(AnomalyScore.normalCdf(1.96)).isCloseTo(0.9750021, within(1e-6));
        assertThat(AnomalyScore.normalCdf(-3)).isCloseTo(0.0013499, within(1e-6));
    }
}

package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.kernel.KernelFactory;
import dev.seqpredict.model.kernel.Kernels;
import dev.seqpredict.model.kernel.ScalarKernels;
import dev.seqpredict.testing.EndSymbolModels;
import dev.seqpredict.testing.TestModels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link KeyedPredictor#processBatch} gives, bit for bit, the outcomes and key states of {@link KeyedPredictor#process}
 * called once per event in the same order: on random sensor and log streams with rejections (no model, wrong kind,
 * wrong arity, non-finite values, unknown events), model swaps mid-batch (same shape, other cell, other task), keys
 * repeated within a batch, both cells (LSTM, GRU), every swap policy, and both kernels.
 */
class KeyedPredictorBatchTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        List<KernelFactory> kernels = new ArrayList<>();
        kernels.add(ScalarKernels.INSTANCE);
        Kernels.vector().ifPresent(kernels::add);
        long seed = 1;
        for (KernelFactory k : kernels) {
            for (SwapPolicy policy : SwapPolicy.values()) {
                for (boolean blend : new boolean[] {false, true}) {
                    cases.add(Arguments.of(k, policy, blend, seed++));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} blend={2} seed={3}")
    @MethodSource("cases")
    void aBatchIsTheEventsOneByOne(KernelFactory kernels, SwapPolicy policy, boolean blend, long seed) {
        PredictorConfig config = PredictorConfig.DEFAULTS.withSwapPolicy(policy).withRewarmWindow(policy == SwapPolicy.REWARM ? 4 : 0)
                .withUnknownEventAnomaly(seed % 2 == 0)
                .withSensorScoring(SensorScoring.DEFAULTS.withBlendAlpha(blend ? SensorScoring.BLEND_ALPHA : 0)
                        .withSeason(50, 64));
        KeyedPredictor predictor = new KeyedPredictor(config);
        List<ServingModel> sensorModels = List.of(
                ServingModel.of("s", TestModels.regression(1, CellType.LSTM, 2, 8, 2, "s", "1").withKernels(kernels)),
                ServingModel.of("s", TestModels.regression(2, CellType.LSTM, 2, 8, 2, "s", "2").withKernels(kernels)),
                ServingModel.of("s", TestModels.regression(3, CellType.GRU, 2, 6, 1, "s", "3").withKernels(kernels)));
        List<ServingModel> logModels = List.of(
                ServingModel.of("l", TestModels.classification(4, CellType.LSTM, 6, 8, 1, "l", "1").withKernels(kernels)),
                ServingModel.of("l", TestModels.classification(5, CellType.GRU, 6, 8, 2, "l", "2").withKernels(kernels)),
                ServingModel.of("ab", EndSymbolModels.abEnd(true).withKernels(kernels)));
        Random r = new Random(seed);
        int keyCount = 12;
        Map<String, KeyState> oneByOne = new HashMap<>();
        Map<String, KeyState> batched = new HashMap<>();
        int[] current = new int[keyCount]; // each key's usual model (changed now and then: a swap)
        int predicted = 0;
        int rejected = 0;
        int repeated = 0;
        int swaps = 0;
        for (int batch = 0; batch < 150; batch++) {
            int size = 1 + r.nextInt(40);
            List<String> keys = new ArrayList<>();
            List<Event> events = new ArrayList<>();
            List<ServingModel> models = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                int k = r.nextInt(keyCount);
                String key = "k" + k;
                boolean sensor = k % 2 == 0;
                if (r.nextInt(30) == 0) {
                    current[k] = r.nextInt(3);
                    swaps++;
                }
                ServingModel model = (sensor ? sensorModels : logModels).get(current[k]);
                int noise = r.nextInt(40);
                if (noise == 0) {
                    model = null; // no_model
                } else if (noise == 1) {
                    model = (sensor ? logModels : sensorModels).get(0); // wrong_kind
                }
                long ts = batch * 1000L + i;
                Event e;
                if (sensor) {
                    float[] v = {(float) Math.sin(ts / 7.0) + 0.1f * (float) r.nextGaussian(), 10 + r.nextFloat()};
                    if (r.nextInt(50) == 0) {
                        v = new float[] {v[0]}; // wrong_arity
                    } else if (r.nextInt(50) == 0) {
                        v[1] = Float.NaN; // non_finite
                    } else if (r.nextInt(60) == 0) {
                        v[0] += 40; // a spike: an alarm, then suppression
                    }
                    e = Event.sensor(key, ts, v);
                } else {
                    boolean ab = model != null && model.name().equals("ab");
                    String name = r.nextInt(40) == 0 ? "zz" : ab ? (r.nextBoolean() ? "a" : "b") : Integer.toString(1 + r.nextInt(6));
                    e = Event.log(key, ts, name); // "zz": unknown_event, or an anomaly with unknownEventAnomaly
                }
                if (keys.contains(key)) {
                    repeated++;
                }
                keys.add(key);
                events.add(e);
                models.add(model);
            }
            List<Outcome> expected = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Outcome o = predictor.process(oneByOne.get(keys.get(i)), events.get(i), models.get(i));
                if (o instanceof Outcome.Predicted p) {
                    oneByOne.put(keys.get(i), p.state());
                }
                expected.add(o);
            }
            List<Outcome> actual = predictor.processBatch(keys, events, models, batched);
            assertThat(actual).hasSize(size);
            for (int i = 0; i < size; i++) {
                Outcome e = expected.get(i);
                Outcome a = actual.get(i);
                assertThat(a.getClass()).as("batch %d event %d", batch, i).isEqualTo(e.getClass());
                if (e instanceof Outcome.Predicted ep) {
                    predicted++;
                    assertThat(new String(PredictionJson.toBytes(((Outcome.Predicted) a).prediction())))
                            .as("batch %d event %d", batch, i)
                            .isEqualTo(new String(PredictionJson.toBytes(ep.prediction())));
                } else {
                    rejected++;
                    assertThat(((Outcome.Rejected) a).rejection()).isEqualTo(((Outcome.Rejected) e).rejection());
                }
            }
            assertThat(new TreeSet<>(batched.keySet())).isEqualTo(new TreeSet<>(oneByOne.keySet()));
            for (String key : oneByOne.keySet()) {
                assertThat(KeyStateCodec.toBytes(batched.get(key))).as("state of %s after batch %d", key, batch)
                        .isEqualTo(KeyStateCodec.toBytes(oneByOne.get(key)));
            }
        }
        // the streams did exercise what they are meant to
        assertThat(predicted).isGreaterThan(2000);
        assertThat(rejected).isGreaterThan(50);
        assertThat(repeated).isGreaterThan(500);
        assertThat(swaps).isGreaterThan(20);
    }
}

package dev.seqpredict.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqpredict.flink.EventRecord;
import dev.seqpredict.flink.PredictFunction;
import dev.seqpredict.flink.PredictionJob;
import dev.seqpredict.flink.PredictionRecord;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' DJL-per-event peer computes what the core computes: per key, over interleaved keys, its
 * forecasts match {@link RecurrentModel#step} with the same weights (PyTorch's math both sides, within float
 * rounding); bad records go to the dead letters; models it cannot serve are refused when the job is built.
 */
class DjlPerEventFunctionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INPUT = 3;

    private static RecurrentModel plain(CellType cell, int hidden, int layers) {
        SplittableRandom rnd = new SplittableRandom(42);
        float bound = (float) (1.0 / Math.sqrt(hidden));
        List<LayerWeights> ws = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? INPUT : hidden;
            int rows = cell.gates() * hidden;
            ws.add(new LayerWeights(cell, in, hidden, uniform(rnd, rows * in, bound), uniform(rnd, rows * hidden, bound),
                    uniform(rnd, rows, bound), uniform(rnd, rows, bound)));
        }
        ModelSpec spec = ModelSpec.of(cell, INPUT, hidden, layers, Task.REGRESSION, INPUT).withName("peer", "1");
        return RecurrentModel.create(spec, ws, uniform(rnd, INPUT * hidden, bound), uniform(rnd, INPUT, bound), null);
    }

    private static float[] uniform(SplittableRandom rnd, int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }

    @ParameterizedTest
    @EnumSource(value = CellType.class, names = {"LSTM", "GRU", "RNN_TANH"})
    void forecastsMatchTheCoresStepPerKey(CellType cell) throws Exception {
        RecurrentModel model = plain(cell, 16, 2);
        DjlPerEventFunction f = new DjlPerEventFunction(ModelArtifact.toBytes(model), JobSettings.defaults("unused:9092"));
        String[] keys = {"a", "b"};
        float[][] state = {model.newState(), model.newState()};
        float[] expected = new float[INPUT];
        try (KeyedOneInputStreamOperatorTestHarness<String, EventRecord, PredictionRecord> h =
                     ProcessFunctionTestHarnesses.forKeyedProcessFunction(f, new PredictionJob.EntityKey(), Types.STRING)) {
            SplittableRandom r = new SplittableRandom(7);
            int n = 0;
            for (int t = 0; t < 30; t++) {
                for (int k = 0; k < keys.length; k++) {
                    float[] x = {(float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian()};
                    String json = "{\"ts\":" + t + ",\"values\":[" + x[0] + "," + x[1] + "," + x[2] + "]}";
                    h.processElement(EventRecord.of(keys[k], json, "events", 0, n++), t);
                    model.step(state[k], x, expected);
                    List<PredictionRecord> out = h.extractOutputValues();
                    JsonNode p = JSON.readTree(out.get(out.size() - 1).json);
                    assertThat(p.path("key").asText()).isEqualTo(keys[k]);
                    assertThat(p.path("events").asLong()).isEqualTo(t + 1);
                    for (int i = 0; i < INPUT; i++) {
                        assertThat(p.path("prediction").get(i).floatValue()).as("%s key %s event %d output %d", cell, keys[k], t, i)
                                .isCloseTo(expected[i], within(2e-5f));
                    }
                }
            }
            h.processElement(EventRecord.of("a", "{\"ts\":99,\"values\":[1,2]}", "events", 0, n++), 99);
            h.processElement(EventRecord.of("a", "not json", "events", 0, n), 99);
            assertThat(h.extractOutputValues()).hasSize(60);
            assertThat(h.getSideOutput(PredictFunction.DEAD_LETTERS)).extracting(rec -> rec.getValue().reason)
                    .containsExactly("wrong_arity", "malformed");
        }
    }

    @Test
    void aModelItCannotServeIsRefusedWhenTheJobIsBuilt() {
        RecurrentModel normalized = TestModels.regression(1, CellType.LSTM, INPUT, 8, 1, "n", "1");
        assertThatThrownBy(() -> new DjlPerEventFunction(ModelArtifact.toBytes(normalized), JobSettings.defaults("unused:9092")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain regression models only");
    }
}

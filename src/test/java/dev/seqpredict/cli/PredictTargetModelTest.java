package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.Normalization;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model whose output is not its input: 5 inputs, 3 outputs forecasting inputs 4, 0 and 2. */
class PredictTargetModelTest {

    @TempDir
    Path dir;

    private static RecurrentModel fiveToThree(List<Integer> target) {
        Random r = new Random(5);
        Normalization in = new Normalization(new float[] {1, 2, 3, 4, 5}, new float[] {1, 2, 3, 4, 5});
        ModelSpec spec = ModelSpec.of(CellType.GRU, 5, 6, 1, Task.REGRESSION, 3).withName("multi", "1")
                .withNormalization(in, null).withForecast(target, false);
        List<LayerWeights> layers = TestModels.layers(r, CellType.GRU, 5, 6, 1);
        return RecurrentModel.create(spec, layers, TestModels.uniform(r, 3 * 6, 0.4f), TestModels.uniform(r, 3, 0.4f), null);
    }

    private static final float[][] ROWS = {{1, 2, 3, 4, 5}, {2, 1, 4, 3, 6}, {0, 3, 2, 5, 4}};

    @Test
    void predictRunsAModelThatForecastsSomeOfItsInputs() throws Exception {
        RecurrentModel model = fiveToThree(List.of(4, 0, 2));
        Path modelFile = dir.resolve("m.safetensors");
        ModelArtifact.write(model, modelFile);
        Path csv = dir.resolve("in.csv");
        StringBuilder in = new StringBuilder("key,ts,a,b,c,d,e\n");
        for (int t = 0; t < ROWS.length; t++) {
            in.append("k,").append(t + 1);
            for (float v : ROWS[t]) {
                in.append(',').append(v);
            }
            in.append('\n');
        }
        Files.writeString(csv, in.toString());
        Path out = dir.resolve("out.csv");

        CliRun run = CliRun.of("predict", "--model", modelFile.toString(), "--input", csv.toString(), "--output", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("key,ts,y0,y1,y2");
        float[][] f = model.forward(ROWS);
        assertThat(lines.get(3)).isEqualTo("k,3," + f[2][0] + "," + f[2][1] + "," + f[2][2]);
        assertThat(CliRun.of("inspect", "--model", modelFile.toString()).out()).contains("forecast    features [4, 0, 2]");
    }

    @Test
    void theProcessorScoresTheForecastAgainstTheTargetFeaturesOnly() throws Exception {
        RecurrentModel model = fiveToThree(List.of(4, 0, 2));
        ModelRegistry registry = ModelRegistry.single("multi");
        assertThat(registry.offer("multi", ModelArtifact.toBytes(model))).isInstanceOf(ModelRegistry.Update.Accepted.class);
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS);
        Outcome.Predicted first = (Outcome.Predicted) p.process(null, Event.sensor("k", 1, ROWS[0]), registry.get("multi"));
        float[] forecast = first.prediction().values().clone();
        Outcome.Predicted second = (Outcome.Predicted) p.process(first.state(), Event.sensor("k", 2, ROWS[1]),
                registry.get("multi"));
        double d0 = ROWS[1][4] - forecast[0];
        double d1 = ROWS[1][0] - forecast[1];
        double d2 = ROWS[1][2] - forecast[2];
        assertThat(second.prediction().error()).isEqualTo((float) Math.sqrt((d0 * d0 + d1 * d1 + d2 * d2) / 3));
    }

    @Test
    void withoutATargetListItIsAOneLineReasonNotAnIndexError() throws Exception {
        RecurrentModel model = fiveToThree(List.of());
        Path modelFile = dir.resolve("m.safetensors");
        ModelArtifact.write(model, modelFile);
        Path csv = dir.resolve("in.csv");
        Files.writeString(csv, "key,ts,a,b,c,d,e\nk,1,1,2,3,4,5\n");
        CliRun run = CliRun.of("predict", "--model", modelFile.toString(), "--input", csv.toString());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("outputs forecast none of its 5 inputs").doesNotContain("Index");

        ModelRegistry.Update u = ModelRegistry.single("multi").offer("multi", ModelArtifact.toBytes(model));
        assertThat(u).isInstanceOfSatisfying(ModelRegistry.Update.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo("unsupported");
            assertThat(r.detail()).contains("no 'target' list");
        });
    }
}

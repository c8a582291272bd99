package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {

    @TempDir
    Path dir;

    @Test
    void predictsEachRowWithOneStatePerKeyAndReportsBadRows() throws Exception {
        RecurrentModel model = TestModels.regression(11, CellType.GRU, 2, 8, 1, "sensors", "1");
        Path modelFile = dir.resolve("m.safetensors");
        ModelArtifact.write(model, modelFile);
        Path csv = dir.resolve("in.csv");
        Files.writeString(csv, String.join("\n",
                "key,ts,a,b",
                "s1,1,0.5,10",
                "s2,1,1.5,12",
                "s1,2,0.7,11",
                "s1,3,oops,11",      // line 5: not a number
                "s2,2,1.1",          // line 6: wrong arity
                "s2,3,1.2,NaN",      // line 7: not finite
                "s2,4,1.3,12.5",
                ""));
        Path out = dir.resolve("out.csv");

        CliRun run = CliRun.of("predict", "--model", modelFile.toString(), "--input", csv.toString(), "--output", out.toString());

        assertThat(run.exitCode()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("key,ts,y0,y1");
        float[][] s1 = model.forward(new float[][] {{0.5f, 10}, {0.7f, 11}});
        float[][] s2 = model.forward(new float[][] {{1.5f, 12}, {1.3f, 12.5f}});
        assertThat(lines.subList(1, lines.size())).containsExactly(
                "s1,1," + s1[0][0] + "," + s1[0][1],
                "s2,1," + s2[0][0] + "," + s2[0][1],
                "s1,2," + s1[1][0] + "," + s1[1][1],
                "s2,4," + s2[1][0] + "," + s2[1][1]);
        assertThat(run.err())
                .contains(csv + ":5: skipped: column 3 is not a number: 'oops'")
                .contains(csv + ":6: skipped: expected 4 columns, found 3")
                .contains(csv + ":7: skipped: column 4 is not finite")
                .contains("predict: 4 rows, 2 keys, 3 skipped");
    }

    @Test
    void classificationModelsTakeAnEventColumnAndOutputProbabilities() throws Exception {
        RecurrentModel model = TestModels.classification(3, CellType.LSTM, 5, 8, 1, "logs", "1");
        Path modelFile = dir.resolve("logs.safetensors");
        ModelArtifact.write(model, modelFile);
        Path csv = dir.resolve("in.csv");
        Files.writeString(csv, "key,ts,event\nb1,1,2\nb1,2,4\nb1,3,9\n");
        Path out = dir.resolve("out.csv");
        CliRun run = CliRun.of("predict", "--model", modelFile.toString(), "--input", csv.toString(), "--output", out.toString());
        assertThat(run.exitCode()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(3);
        float[][] p = model.forwardEvents(new int[] {1, 3});
        StringBuilder row = new StringBuilder("b1,2");
        for (float v : p[1]) {
            row.append(',').append(v);
        }
        assertThat(lines.get(2)).isEqualTo(row.toString());
        assertThat(run.err()).contains(":4: skipped: unknown_event: event '9' is not in the vocabulary");
    }

    @Test
    void missingOrCorruptModelIsAClearErrorWithNonZeroExit() throws Exception {
        Path csv = dir.resolve("in.csv");
        Files.writeString(csv, "key,ts,a\n");
        CliRun missing = CliRun.of("predict", "--model", dir.resolve("nope.safetensors").toString(), "--input", csv.toString());
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("error: model file not found");
        Path corrupt = dir.resolve("bad.safetensors");
        Files.write(corrupt, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, '{'});
        CliRun bad = CliRun.of("predict", "--model", corrupt.toString(), "--input", csv.toString());
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("cannot load model").contains("header");
    }

    @Test
    void wrongHeaderIsRejected() throws Exception {
        RecurrentModel model = TestModels.regression(11, CellType.GRU, 2, 8, 1, "sensors", "1");
        Path modelFile = dir.resolve("m.safetensors");
        ModelArtifact.write(model, modelFile);
        Path csv = dir.resolve("in.csv");
        Files.writeString(csv, "key,ts,a\ns1,1,2\n");
        CliRun run = CliRun.of("predict", "--model", modelFile.toString(), "--input", csv.toString());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("has 1 feature columns but the model takes 2");
    }

    @Test
    void inspectShowsSpecShapesAndChecksum() throws Exception {
        RecurrentModel model = TestModels.regression(11, CellType.LSTM, 2, 8, 2, "sensors", "4");
        Path modelFile = dir.resolve("m.safetensors");
        ModelArtifact.write(model, modelFile);
        CliRun run = CliRun.of("inspect", "--model", modelFile.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("sensors (version 4)")
                .contains("lstm, 2 layer(s), input 2, hidden 8")
                .containsPattern("rnn\\.weight_hh_l1 +\\[32, 8\\]")
                .contains("sha256      " + ModelArtifact.sha256Hex(Files.readAllBytes(modelFile)))
                .contains("parameters  " + (4 * 8 * (2 + 8 + 2) + 4 * 8 * (8 + 8 + 2) + 2 * 8 + 2));
    }

    @Test
    void everyCommandHasHelpAndUnknownOptionsFail() {
        assertThat(CliRun.of("predict", "--help").out()).contains("--model").contains("--input");
        assertThat(CliRun.of("inspect", "--help").exitCode()).isZero();
        CliRun bad = CliRun.of("predict", "--model", "m", "--input", "i", "--bogus");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("Unknown option: '--bogus'");
        assertThat(CliRun.of().exitCode()).isNotZero();
    }
}

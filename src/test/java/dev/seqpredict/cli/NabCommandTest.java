package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NabCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesNabResultFilesWithLabels() throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("catA"));
        DateTimeFormatter fmt = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        LocalDateTime t0 = LocalDateTime.of(2015, 3, 1, 0, 0);
        List<String> lines = new ArrayList<>(List.of("timestamp,value"));
        for (int i = 0; i < 120; i++) {
            lines.add(t0.plusHours(i).format(fmt) + "," + (i == 100 ? "95.5" : Double.toString(20 + 5 * Math.sin(i / 4.0))));
        }
        Files.write(data.resolve("catA/series_one.csv"), lines);
        Path labels = dir.resolve("labels.json");
        Files.writeString(labels, "{\"catA/series_one.csv\": [[\"" + t0.plusHours(95).format(fmt) + ".000000\", \""
                + t0.plusHours(105).format(fmt) + ".000000\"]]}");
        Path out = dir.resolve("results");

        CliRun r = CliRun.of("nab", "--data", data.toString(), "--out", out.toString(), "--labels", labels.toString(),
                "--window", "6", "--hidden", "4", "--epochs", "1", "--retrain-every", "0", "--warmup", "5",
                "--variant", "quiet:0.99:20");

        assertThat(r.exitCode()).as(r.err()).isZero();
        Path result = out.resolve("seqpredict/catA/seqpredict_series_one.csv");
        assertThat(result).exists();
        assertThat(out.resolve("quiet/catA/quiet_series_one.csv")).exists();
        assertThat(out.resolve("seqpredict-summary.csv")).exists();
        List<String> rows = Files.readAllLines(result);
        assertThat(rows.get(0)).isEqualTo("timestamp,value,anomaly_score,label");
        assertThat(rows).hasSize(121);
        for (int i = 1; i <= 120; i++) {
            String[] f = rows.get(i).split(",");
            assertThat(f).hasSize(4);
            assertThat(f[0]).isEqualTo(lines.get(i).split(",")[0]);
            assertThat(f[1]).isEqualTo(lines.get(i).split(",")[1]);
            assertThat(Double.parseDouble(f[2])).isBetween(0.0, 1.0);
            int row = i - 1;
            assertThat(f[3]).as("label of row %d", row).isEqualTo(row >= 95 && row <= 105 ? "1" : "0");
        }
        // the output is what nab-score reads
        CliRun score = CliRun.of("nab-score", "--results", out.toString(), "--detector", "seqpredict",
                "--labels", labels.toString(), "--profile", "standard");
        assertThat(score.exitCode()).as(score.err()).isZero();
    }

    @Test
    void withoutLabelsEveryLabelIsZero() throws IOException {
        Path data = dir.resolve("d");
        Files.createDirectories(data.resolve("c"));
        List<String> lines = new ArrayList<>(List.of("timestamp,value"));
        for (int i = 0; i < 40; i++) {
            lines.add(String.format("2016-01-01 %02d:%02d:00", i / 60, i % 60) + "," + (i % 5));
        }
        Files.write(data.resolve("c/x.csv"), lines);
        CliRun r = CliRun.of("nab", "--data", data.toString(), "--out", dir.resolve("o").toString(), "--detector", "det",
                "--window", "4", "--hidden", "4", "--epochs", "1", "--retrain-every", "0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> rows = Files.readAllLines(dir.resolve("o/det/c/det_x.csv"));
        assertThat(rows).hasSize(41);
        assertThat(rows.subList(1, 41)).allSatisfy(l -> assertThat(l).endsWith(",0"));
    }
}

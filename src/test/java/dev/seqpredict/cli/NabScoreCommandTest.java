package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NabScoreCommandTest {

    @Test
    void scoresAPerfectResultSetOnTheShippedRealFile(@TempDir Path dir) throws Exception {
        Path nab = Path.of(getClass().getResource("/nab").toURI());
        List<String> lines = Files.readAllLines(nab.resolve("data/realKnownCause/rogue_agent_key_hold.csv"));
        StringBuilder sb = new StringBuilder("timestamp,value,anomaly_score,label\n");
        for (int i = 1; i < lines.size(); i++) {
            String ts = lines.get(i).split(",")[0];
            boolean start = ts.equals("2014-07-15 04:35:00") || ts.equals("2014-07-17 05:50:00");
            sb.append(lines.get(i)).append(',').append(start ? "1" : "0").append(",0\n");
        }
        Path out = dir.resolve("perfect/realKnownCause/perfect_rogue_agent_key_hold.csv");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb);

        CommandLine cl = SeqPredictCli.newCommandLine();
        StringWriter text = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(text));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("nab-score", "--results", dir.toString(), "--detector", "perfect",
                "--labels", nab.resolve("labels/combined_windows.json").toString(), "--per-file");
        assertThat(code).as(err.toString()).isZero();
        assertThat(text.toString())
                .contains("standard", "reward_low_FP_rate", "reward_low_FN_rate")
                .contains("score   100.00  threshold 1.0")
                .contains("windows 2: detected 2, missed 0")
                .contains("realKnownCause/rogue_agent_key_hold.csv");

        StringWriter err2 = new StringWriter();
        cl.setErr(new PrintWriter(err2));
        assertThat(cl.execute("nab-score", "--results", dir.toString(), "--detector", "absent",
                "--labels", nab.resolve("labels/combined_windows.json").toString())).isEqualTo(1);
        assertThat(err2.toString()).contains("missing result file");
    }
}

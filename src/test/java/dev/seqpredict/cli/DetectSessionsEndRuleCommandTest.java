package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.testing.EndSymbolModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * detect-sessions with a model that has an end symbol: one 0/1 line per session in input order, a line's end
 * is the session's end (the end rule), and the reasons breakdown is printed. Expected verdicts follow from
 * {@link EndSymbolModels}' hand-set ranking.
 */
class DetectSessionsEndRuleCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesOneVerdictPerSessionAndCountsTheReasons() throws IOException {
        Path m = dir.resolve("ab.safetensors");
        ModelArtifact.write(EndSymbolModels.abEnd(true), m);
        Path sessions = dir.resolve("s.txt");
        // normal; stops early (end); first event unlikely (miss); unknown id; normal again
        Files.write(sessions, List.of("a b", "a", "b", "a q", "a b"));
        Path out = dir.resolve("flags.txt");

        CliRun r = CliRun.of("detect-sessions", "--model", m.toString(), "--sessions", sessions.toString(),
                "--top-g", "1", "--output", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(out)).isEqualTo("0\n1\n1\n1\n0\n");
        assertThat(r.out()).contains("5 sessions, 3 anomalous (60.00%) {end=1, miss=1, unknown_event=1}, top-g 1, end rule on");

        CliRun off = CliRun.of("detect-sessions", "--model", m.toString(), "--sessions", sessions.toString(),
                "--top-g", "1", "--no-end-rule", "--output", out.toString());
        assertThat(off.exitCode()).as(off.err()).isZero();
        assertThat(Files.readAllLines(out)).containsExactly("0", "0", "1", "1", "0");
        assertThat(off.out()).contains("{miss=1, unknown_event=1}").contains("end rule off");
    }

    @Test
    void theDefaultsNeedOnlyModelSessionsAndOutput() throws IOException {
        Path m = dir.resolve("ab.safetensors");
        ModelArtifact.write(EndSymbolModels.abEnd(true), m);
        Path sessions = dir.resolve("s.txt");
        Files.write(sessions, List.of("a b", "a"));
        Path out = dir.resolve("flags.txt");
        CliRun r = CliRun.of("detect-sessions", "--model", m.toString(), "--sessions", sessions.toString(),
                "--output", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        // with only 3 symbols every rank is inside the default g: both normal
        assertThat(Files.readAllLines(out)).containsExactly("0", "0");
        assertThat(r.out()).contains("end rule on");
    }
}

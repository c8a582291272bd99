package dev.seqpredict.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scorer on NAB's real labels: the 7 realKnownCause files (timestamps from the run-length encoded
 * timelines in test resources, windows from NAB's combined_windows.json), written as NAB result files and
 * read back through {@link NabScorer#score(Path, String, Path, Profile)}.
 */
class NabRealLabelsTest {

    static final DateTimeFormatter CSV_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    static Path resource(String name) throws URISyntaxException {
        return Path.of(NabRealLabelsTest.class.getResource("/nab/" + name).toURI());
    }

    /** File -> timestamps, decoded from timelines_realKnownCause.json. */
    static Map<String, LocalDateTime[]> timelines() throws Exception {
        JsonNode root = new ObjectMapper().readTree(resource("timelines_realKnownCause.json").toFile());
        Map<String, LocalDateTime[]> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int rows = e.getValue().get("rows").asInt();
            LocalDateTime[] ts = new LocalDateTime[rows];
            ts[0] = NabTimestamps.parse(e.getValue().get("first").asText());
            int i = 1;
            for (JsonNode step : e.getValue().get("steps")) {
                for (int k = 0; k < step.get(1).asInt(); k++, i++) {
                    ts[i] = ts[i - 1].plusSeconds(step.get(0).asLong());
                }
            }
            assertThat(i).as(e.getKey()).isEqualTo(rows);
            out.put(e.getKey(), ts);
        }
        return out;
    }

    /** Writes {@code <dir>/<detector>/<category>/<detector>_<name>.csv} with the given scores per row. */
    static void writeResults(Path dir, String detector, Map<String, LocalDateTime[]> files,
                             BiFunction<String, Integer, Double> score) throws IOException {
        for (Map.Entry<String, LocalDateTime[]> e : files.entrySet()) {
            Path p = NabResultFile.resultPath(dir, detector, e.getKey());
            Files.createDirectories(p.getParent());
            StringBuilder sb = new StringBuilder("timestamp,value,anomaly_score,label\n");
            LocalDateTime[] ts = e.getValue();
            for (int i = 0; i < ts.length; i++) {
                sb.append(CSV_TS.format(ts[i])).append(",0.5,").append(score.apply(e.getKey(), i)).append(",0\n");
            }
            Files.writeString(p, sb);
        }
    }

    /** Row index of each window's first row (first row at or after its start, scanning in row order). */
    static List<Integer> windowStartRows(LocalDateTime[] ts, List<NabWindow> windows) {
        List<Integer> rows = new ArrayList<>();
        int from = 0;
        for (NabWindow w : windows) {
            int i = from;
            while (ts[i].isBefore(w.start())) {
                i++;
            }
            rows.add(i);
            while (i + 1 < ts.length && !ts[i].equals(w.end())) {
                i++;
            }
            from = i + 1;
        }
        return rows;
    }

    @Test
    void perfectDetectorScores100AndNullDetectorScores0OnTheSevenRealLabelSets(@TempDir Path dir) throws Exception {
        Path labelsJson = resource("labels/combined_windows_realKnownCause.json");
        NabLabels labels = NabLabels.read(labelsJson);
        Map<String, LocalDateTime[]> files = timelines();
        assertThat(files.keySet()).containsExactlyInAnyOrderElementsOf(labels.windows().keySet());
        assertThat(labels.windowCount()).isEqualTo(19);

        Map<String, List<Integer>> starts = new LinkedHashMap<>();
        files.forEach((f, ts) -> starts.put(f, windowStartRows(ts, labels.windows().get(f))));
        writeResults(dir, "perfect", files, (f, i) -> starts.get(f).contains(i) ? 1.0 : 0.0);
        writeResults(dir, "null", files, (f, i) -> 0.0);
        // a detector that is 0.5 everywhere: its sweep either fires on every row or never; never wins
        writeResults(dir, "constant", files, (f, i) -> 0.5);

        Map<Profile, NabResult> perfect = NabScorer.scoreAllProfiles(dir, "perfect", labelsJson);
        for (Profile p : Profile.values()) {
            NabResult r = perfect.get(p);
            assertThat(r.normalizedScore()).as(p.nabName()).isEqualTo(100.0);
            assertThat(r.threshold()).isEqualTo(1.0);
            assertThat(r.rawScore()).isEqualTo(19 * p.tpWeight());
            assertThat(r.nullScore()).isEqualTo(-19 * p.fnWeight());
            assertThat(r.windowsDetected()).isEqualTo(19);
            assertThat(r.fpDetections()).isZero();
            assertThat(r.files()).hasSize(7);
        }
        Map<Profile, NabResult> nul = NabScorer.scoreAllProfiles(dir, "null", labelsJson);
        Map<Profile, NabResult> constant = NabScorer.scoreAllProfiles(dir, "constant", labelsJson);
        for (Profile p : Profile.values()) {
            assertThat(nul.get(p).normalizedScore()).as(p.nabName()).isEqualTo(0.0);
            assertThat(nul.get(p).windowsMissed()).isEqualTo(19);
            assertThat(constant.get(p).normalizedScore()).isEqualTo(0.0);
            assertThat(constant.get(p).threshold()).isEqualTo(1.1);
            // scored at 0.5 it fires everywhere: all 19 windows at their first row, and a flood of FPs
            NabResult all = NabScorer.scoreAt("constant", NabScorer.readResults(dir, "constant", labels), labels, p, 0.5);
            assertThat(all.windowsDetected()).isEqualTo(19);
            assertThat(all.normalizedScore()).isNegative();
        }
        // probationary rows per file: min(floor(0.15 n), 750)
        assertThat(perfect.get(Profile.STANDARD).files()).extracting(NabFileScore::file, NabFileScore::probationaryRows)
                .contains(org.assertj.core.groups.Tuple.tuple("realKnownCause/rogue_agent_key_hold.csv", 282),
                        org.assertj.core.groups.Tuple.tuple("realKnownCause/ec2_request_latency_system_failure.csv", 604),
                        org.assertj.core.groups.Tuple.tuple("realKnownCause/machine_temperature_system_failure.csv", 750));
    }

    @Test
    void windowRowsOfTheRealFilesAreNabsRows() throws Exception {
        // rows found independently with NAB's rule (timestamps.index of each limit) on the real CSVs
        NabLabels labels = NabLabels.read(resource("labels/combined_windows_realKnownCause.json"));
        Map<String, LocalDateTime[]> files = timelines();
        assertThat(windowStartRows(files.get("realKnownCause/rogue_agent_key_hold.csv"),
                labels.windows().get("realKnownCause/rogue_agent_key_hold.csv"))).containsExactly(669, 1240);
        assertThat(windowStartRows(files.get("realKnownCause/machine_temperature_system_failure.csv"),
                labels.windows().get("realKnownCause/machine_temperature_system_failure.csv")))
                .containsExactly(2126, 3703, 16057, 19232);
        assertThat(windowStartRows(files.get("realKnownCause/ec2_request_latency_system_failure.csv"),
                labels.windows().get("realKnownCause/ec2_request_latency_system_failure.csv")))
                .containsExactly(2014, 3328, 3956);
    }

    @Test
    void shippedRealCsvMatchesItsTimelineAndScores(@TempDir Path dir) throws Exception {
        String file = "realKnownCause/rogue_agent_key_hold.csv";
        List<String> lines = Files.readAllLines(resource("data/" + file));
        LocalDateTime[] expected = timelines().get(file);
        assertThat(lines).hasSize(expected.length + 1);
        LocalDateTime[] ts = new LocalDateTime[expected.length];
        double[] values = new double[expected.length];
        for (int i = 0; i < ts.length; i++) {
            String[] f = lines.get(i + 1).split(",");
            ts[i] = NabTimestamps.parse(f[0]);
            values[i] = Double.parseDouble(f[1]);
        }
        assertThat(ts).containsExactly(expected);

        // a crude real detector: anomaly score = the value scaled to [0, 1] by the file's max
        double max = java.util.Arrays.stream(values).max().orElseThrow();
        Path labelsJson = resource("labels/combined_windows.json");
        writeResults(dir, "scaled", Map.of(file, ts), (f, i) -> values[i] / max);
        NabResult r = NabScorer.score(dir, "scaled", labelsJson, Profile.STANDARD);
        // the sweep never does worse than staying silent, and the result is self-consistent
        assertThat(r.normalizedScore()).isBetween(0.0, 100.0);
        assertThat(r.windows()).isEqualTo(2);
        assertThat(r.rawScore()).isEqualTo(r.files().get(0).rawScore());
        NabResult again = NabScorer.scoreAt("scaled", NabScorer.readResults(dir, "scaled", NabLabels.read(labelsJson)),
                NabLabels.read(labelsJson), Profile.STANDARD, r.threshold());
        assertThat(again).isEqualTo(r);
    }

    @Test
    void timelinesMatchTheSharedCorpusWhenPresent() throws Exception {
        Path shared = Path.of("../shared/data/nab-subset/data");
        assumeTrue(Files.isDirectory(shared), "shared NAB data not present (fresh clone)");
        for (Map.Entry<String, LocalDateTime[]> e : timelines().entrySet()) {
            List<String> lines = Files.readAllLines(shared.resolve(e.getKey()));
            LocalDateTime[] ts = lines.stream().skip(1).map(l -> NabTimestamps.parse(l.split(",")[0]))
                    .toArray(LocalDateTime[]::new);
            assertThat(ts).as(e.getKey()).containsExactly(e.getValue());
        }
    }

    @Test
    void readingResultsChecksTheFileSet(@TempDir Path dir) throws Exception {
        Path labelsJson = resource("labels/combined_windows.json");
        assertThatThrownBy(() -> NabScorer.score(dir, "det", labelsJson, Profile.STANDARD))
                .isInstanceOf(IOException.class).hasMessageContaining("missing result file")
                .hasMessageContaining("det_rogue_agent_key_hold.csv");
        Map<String, LocalDateTime[]> one = Map.of("realKnownCause/rogue_agent_key_hold.csv",
                timelines().get("realKnownCause/rogue_agent_key_hold.csv"));
        writeResults(dir, "det", one, (f, i) -> 0.0);
        // NAB's own score summaries beside the results are ignored
        Files.writeString(dir.resolve("det/det_standard_scores.csv"), "Detector,Profile\n");
        assertThat(NabScorer.score(dir, "det", labelsJson, Profile.STANDARD).normalizedScore()).isEqualTo(0.0);
        writeResults(dir, "det", Map.of("realKnownCause/other.csv", new LocalDateTime[] {LocalDateTime.now()}), (f, i) -> 0.0);
        assertThatThrownBy(() -> NabScorer.score(dir, "det", labelsJson, Profile.STANDARD))
                .hasMessageContaining("no labels").hasMessageContaining("det_other.csv");
    }
}

package dev.seqpredict.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.model.Task;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.testing.TestModels;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's other streams: every record they send is an event the jobs accept. */
class DemoSourcesTest {

    @TempDir
    Path dir;

    private final EventParser parser = new EventParser();

    @Test
    void theRetrainingGateComparesLogModelsOnTheSessionsBothCanRead() {
        RecurrentModel knowsOneToTwelve = TestModels.classification(1, CellType.LSTM, 12, 8, 1, "default", "1");
        RecurrentModel knowsOneToEleven = TestModels.classification(2, CellType.LSTM, 11, 8, 1, "default", "2");
        String known = knowsOneToTwelve.eventName(0);
        String onlyFirst = null;
        for (int i = 0; i < 12; i++) {
            if (knowsOneToEleven.eventIndex(knowsOneToTwelve.eventName(i)) < 0) {
                onlyFirst = knowsOneToTwelve.eventName(i);
            }
        }
        assertThat(onlyFirst).isNotNull();
        SeriesSet sessions = new SeriesSet(Task.CLASSIFICATION, List.of(), List.of(
                new Series("a", new String[] {"1", "2"}, null, new String[] {known, known}),
                new Series("b", new String[] {"1", "2"}, null, new String[] {known, onlyFirst}),
                new Series("c", new String[] {"1", "2"}, null, new String[] {known, "never-seen"})), "test");
        SeriesSet gate = Demo.readableByBoth(sessions, knowsOneToTwelve, knowsOneToEleven);
        assertThat(gate.series()).extracting(Series::key).containsExactly("a");
        assertThat(Demo.readableByBoth(sessions, knowsOneToTwelve, knowsOneToTwelve).series()).extracting(Series::key)
                .containsExactly("a", "b");
    }

    @Test
    void logSessionsFollowWorkflowsWithRareDeviationsAndParse() {
        LogSource logs = new LogSource(3, 200, 10, 0.2);
        SeriesSet history = logs.history();
        assertThat(history.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(history.series()).hasSize(200)
                .allSatisfy(s -> assertThat(s.events()).doesNotContain(Integer.toString(LogSessionSimulator.RARE_EVENT)));
        int sent = 0;
        for (int step = 0; step < 100; step++) {
            for (EventSource.Emitted e : logs.step(step)) {
                assertThat(parser.parse(e.key(), e.json().getBytes(StandardCharsets.UTF_8)).ok()).as(e.json()).isTrue();
                sent++;
            }
        }
        assertThat(sent).isEqualTo(1000); // ten open sessions, one event each per step
        long abnormal = java.util.stream.IntStream.range(0, 1000)
                .filter(i -> new LogSessionSimulator(3, 0.2).session(i).abnormal()).count();
        assertThat(abnormal).isBetween(120L, 280L);
    }

    @Test
    void normalSessionsCoverEveryWorkflowInTheHistoryAndLive() {
        for (long seed : new long[] {3, 11, 12}) {
            LogSessionSimulator sim = new LogSessionSimulator(seed, 0.0);
            java.util.Map<Integer, Integer> firstEvents = new java.util.TreeMap<>();
            java.util.Set<Integer> ids = new java.util.TreeSet<>();
            for (int i = 0; i < 1000; i++) {
                List<Integer> events = sim.session(1_000_000 * (int) (seed % 2) + i).events();
                firstEvents.merge(events.get(0) == 1 ? events.get(2) : events.get(0), 1, Integer::sum);
                ids.addAll(events);
            }
            // the four workflows start 1,2,3 / 1,2,8 / 10 / 1,2,3 (with 14, 15 later): each id of 1..15 shows up
            assertThat(ids).as("seed %d", seed).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 15).boxed().toList());
            assertThat(firstEvents.get(10)).as("read sessions, seed %d: %s", seed, firstEvents).isBetween(180, 320);
            assertThat(firstEvents.get(8)).as("recovery sessions, seed %d: %s", seed, firstEvents).isBetween(180, 320);
        }
    }

    @Test
    void replayStreamsEachFileAsOneKeyAfterItsFirst15Percent() throws Exception {
        Path a = dir.resolve("machine_a.csv");
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 100; i++) {
            csv.append(String.format("2014-02-19 10:%02d:00,%d.5%n", i % 60, i));
        }
        Files.writeString(a, csv);
        ReplaySource replay = new ReplaySource(List.of(a));
        assertThat(replay.firstLiveStep()).isEqualTo(15);
        assertThat(replay.history().series().get(0).values()).hasNumberOfRows(15);
        List<EventSource.Emitted> step = replay.step(15);
        assertThat(step).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("machine_a");
            assertThat(e.value()).isEqualTo(15.5);
            assertThat(parser.parse(e.key(), e.json().getBytes(StandardCharsets.UTF_8)).event().values()).containsExactly(15.5f);
        });
        assertThat(replay.step(100)).isEmpty();
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "time,v\n1,2\n3,4\n");
        assertThatThrownBy(() -> new ReplaySource(List.of(bad))).hasMessageContaining("expected a header timestamp,value");
    }
}

package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.EventStreams.CommittedCounter;
import dev.seqpredict.testing.EventStreams.Ev;
import dev.seqpredict.testing.TestModels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TaskManagers die under the running job (heap and RocksDB state, and heap with operator batching of 16): a MiniCluster with two TaskManagers of one slot each (so each
 * runs one subtask of every operator at parallelism 2), and one of them is terminated four times during a
 * run of 200,000 events, once right after a new model version was published (the swap is in flight:
 * neither served nor checkpointed yet). Each time a replacement TaskManager joins and the job restores
 * from its last checkpoint. Read with read_committed, the predictions topic holds, per key and in order,
 * exactly the JSON bytes of a run without failures (the engine-neutral core over the same events, which
 * {@link PredictionJobEndToEndTest} shows a clean job run equals).
 */
class TaskManagerFailureTest {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagerFailureTest.class);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    private static final int KEYS = 8;
    private static final int ROUNDS = Integer.getInteger("seqpredict.tmfailure.rounds", 12_500); // × 8 keys × 2 phases = 200k

    private final RecurrentModel v1 = TestModels.regression(41, CellType.LSTM, 2, 8, 1, "default", "1");
    private final RecurrentModel v2 = TestModels.regression(42, CellType.GRU, 2, 8, 1, "default", "2");

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb", "hashmap-batch16"})
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void killingTaskManagersDuringTheRunAndDuringAModelSwapLeavesTheCommittedOutputAsWithoutFailures(String run) throws Exception {
        long t0 = System.nanoTime();
        String backend = run.split("-")[0];
        // operator batching: buffered events must be finished before each checkpoint barrier goes downstream
        Map<String, String> batching = Map.of(FlinkSettings.BATCH_SIZE, run.endsWith("-batch16") ? "16" : "1"); // 1: the per-event path
        JobSettings settings = FlinkReliability.createTopics(KAFKA, "tmkill-" + run, 4);
        String events = settings.eventsTopic();
        String predictions = settings.predictionsTopic();
        FlinkSettings f = FlinkReliability.flink("tmkill-" + run, 1000, backend, batching);
        assertThat(f.batchSize()).isEqualTo(run.endsWith("-batch16") ? 16 : 1);

        FlinkReliability.TwoPhases input = FlinkReliability.TwoPhases.of(settings, EventStreams.keys("k", KEYS), ROUNDS, 1, v1, v2);
        List<Ev> phase1 = input.phase1();
        List<Ev> phase2 = input.phase2();

        FlinkReliability.publish(KAFKA, settings, v1);
        int kills = 0;
        long[] probeTs = {0};
        int probes = 0;
        MiniCluster cluster = FlinkReliability.startCluster(2, 1);
        JobID job = null;
        try (CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), predictions, "read_committed")) {
            job = FlinkReliability.submit(cluster, settings, f, 2, null);
            FlinkReliability.awaitAllRunning(cluster, job, Duration.ofSeconds(120));

            // phase 1 under v1, produced while the job runs; TaskManagers die at 30% and 70% of it
            Thread producer1 = EventStreams.produceInBackground(KAFKA.bootstrapServers(), events, phase1);
            for (double at : new double[] {0.3, 0.7}) {
                assertThat(committed.await((long) (phase1.size() * at), Duration.ofSeconds(150))).as("progress to %s", at).isTrue();
                kill(cluster, oldestLive(kills), "phase 1 at " + committed.count() + " committed");
                kills++;
                cluster.startTaskManager();
            }
            producer1.join(120_000);
            assertThat(committed.await(phase1.size(), Duration.ofSeconds(180))).as("phase 1 complete").isTrue();

            // the swap in flight: publish v2 and kill a TaskManager at once, before it is served or checkpointed
            FlinkReliability.publish(KAFKA, settings, v2);
            kill(cluster, oldestLive(kills), "right after publishing v2");
            kills++;
            cluster.startTaskManager();
            probes += FlinkReliability.awaitModelVersion(KAFKA.bootstrapServers(), events, predictions, 2, "2", probeTs);

            // phase 2 under v2, one more kill half way
            long base = phase1.size() + probes;
            Thread producer2 = EventStreams.produceInBackground(KAFKA.bootstrapServers(), events, phase2);
            assertThat(committed.await(base + phase2.size() / 2, Duration.ofSeconds(150))).isTrue();
            kill(cluster, oldestLive(kills), "phase 2 at " + committed.count() + " committed");
            kills++;
            cluster.startTaskManager();
            producer2.join(120_000);
            assertThat(committed.await(base + phase2.size(), Duration.ofSeconds(180))).as("phase 2 complete").isTrue();
            Thread.sleep(2_000); // a checkpoint interval: a duplicate, if there were one, would be committed now
        } finally {
            if (job != null) {
                FlinkReliability.cancel(cluster, job);
            }
            cluster.close();
        }

        String committedOutput = input.assertCommittedAsWithoutFailures(KAFKA.bootstrapServers(), settings);
        LOG.info("{}: {} TaskManager kills, {} events, {}, {} s", run, kills,
                phase1.size() + phase2.size(), committedOutput, (System.nanoTime() - t0) / 1_000_000_000);
        assertThat(kills).isEqualTo(4);
    }

    /**
     * TaskManagers are numbered in start order and each kill (of the oldest live one) is followed by one
     * start: {0,1} at first, then {1,2}, {2,3}, ...; after {@code kills} kills the oldest live one is {@code kills}.
     */
    private static int oldestLive(int kills) {
        return kills;
    }

    private static void kill(MiniCluster cluster, int index, String when) throws Exception {
        LOG.info("terminating TaskManager {} ({})", index, when);
        cluster.terminateTaskManager(index).get(60, TimeUnit.SECONDS);
    }

        /**
     * A TaskManager dies before the job's first checkpoint completed: its sinks have written records in
     * open transactions and there is no checkpoint to restore. The restarted job must abort those
     * transactions itself (otherwise they hold the last stable offset back and read_committed readers see
     * nothing until the 10-minute transaction timeout), start over from the beginning, and commit the
     * output exactly once.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void killingATaskManagerBeforeTheFirstCheckpointLeavesNoLingeringTransactionAndNoDuplicate() throws Exception {
        JobSettings settings = FlinkReliability.createTopics(KAFKA, "tmearly", 2);
        String events = settings.eventsTopic();
        String predictions = settings.predictionsTopic();
        FlinkSettings f = FlinkReliability.flink("tmearly", 20_000); // the first checkpoint comes long after the kill

        List<Ev> in = EventStreams.sensorEvents(3, EventStreams.keys("e", 4), 2_500, 0);
        Map<String, List<String>> want = new EventStreams.CoreReference(settings).offer("default", TestModels.bytes(v1)).feed(in).byKey();
        FlinkReliability.publish(KAFKA, settings, v1);
        EventStreams.produce(KAFKA.bootstrapServers(), events, in);
        MiniCluster cluster = FlinkReliability.startCluster(2, 1);
        JobID job = null;
        try (CommittedCounter written = new CommittedCounter(KAFKA.bootstrapServers(), predictions, "read_uncommitted");
             CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), predictions, "read_committed")) {
            job = FlinkReliability.submit(cluster, settings, f, 2, null);
            assertThat(written.await(1, Duration.ofSeconds(120))).as("records written in an open transaction").isTrue();
            assertThat(committed.count()).as("nothing committed yet").isZero();
            kill(cluster, 0, "before the first checkpoint, " + written.count() + " records in open transactions");
            cluster.startTaskManager();
            // committed within a few checkpoint intervals, far below the 10-minute transaction timeout
            assertThat(committed.await(in.size(), Duration.ofSeconds(150))).as("all committed").isTrue();
            Thread.sleep(1_000);
        } finally {
            if (job != null) {
                FlinkReliability.cancel(cluster, job);
            }
            cluster.close();
        }
        Map<String, List<String>> got = EventStreams.byKey(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), predictions));
        assertThat(EventStreams.firstDifference(want, got)).isNull();
        assertThat(got).isEqualTo(want);
    }
}

package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.ChildJvm;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.EventStreams.CommittedCounter;
import dev.seqpredict.testing.EventStreams.Ev;
import dev.seqpredict.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TaskManager processes die by SIGKILL under the running job: a standalone cluster of separate JVMs
 * ({@link FlinkProcessCluster}: one JobManager, two TaskManagers of one slot, RocksDB state,
 * checkpoints to files), and the oldest TaskManager is killed three times during a run of 200,000
 * events: at 30% of the first phase, right after a new model version was published (the swap in
 * flight), and half way through the second phase. Each time a new TaskManager process is started, as
 * Kubernetes would restart the pod, and the job restores from its last checkpoint. Read with
 * read_committed, the predictions topic holds, per key and in order, exactly the JSON bytes of a run
 * without failures.
 */
class TaskManagerProcessKillTest {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagerProcessKillTest.class);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    private static final int KEYS = 8;
    private static final int ROUNDS = Integer.getInteger("seqpredict.tmkill.rounds", 12_500); // × 8 keys × 2 phases = 200k

    @TempDir
    Path dir;

    private final RecurrentModel v1 = TestModels.regression(43, CellType.LSTM, 2, 8, 1, "default", "1");
    private final RecurrentModel v2 = TestModels.regression(44, CellType.GRU, 2, 8, 1, "default", "2");

    @Test
    @Timeout(value = 480, unit = TimeUnit.SECONDS)
    void sigkilledTaskManagerProcessesDuringTheRunAndDuringAModelSwapLeaveTheCommittedOutputAsWithoutFailures() throws Exception {
        long t0 = System.nanoTime();
        JobSettings settings = FlinkReliability.createTopics(KAFKA, "tmproc", 4);
        String events = settings.eventsTopic();
        String predictions = settings.predictionsTopic();
        FlinkSettings f = FlinkReliability.flink("tmproc", 1000, "rocksdb",
                Map.of(FlinkSettings.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString()));

        FlinkReliability.TwoPhases input = FlinkReliability.TwoPhases.of(settings, EventStreams.keys("k", KEYS), ROUNDS, 5, v1, v2);
        List<Ev> phase1 = input.phase1();
        List<Ev> phase2 = input.phase2();

        FlinkReliability.publish(KAFKA, settings, v1);
        int kills = 0;
        long[] probeTs = {0};
        int probes = 0;
        try (FlinkProcessCluster cluster = FlinkProcessCluster.start(dir.resolve("cluster"), 2);
             CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), predictions, "read_committed")) {
            JobID id = cluster.submit(settings, f, 2);

            Thread producer1 = EventStreams.produceInBackground(KAFKA.bootstrapServers(), events, phase1);
            assertThat(committed.await((long) (phase1.size() * 0.3), Duration.ofSeconds(150)))
                    .as("progress; %s%n%s", cluster.describe(id), cluster.logTails()).isTrue();
            kills += kill(cluster, "phase 1 at " + committed.count() + " committed");
            producer1.join(120_000);
            assertThat(committed.await(phase1.size(), Duration.ofSeconds(180))).as("phase 1 complete; %s%n%s", cluster.describe(id), cluster.logTails()).isTrue();

            // the swap in flight: publish v2 and kill at once, before it is served or checkpointed
            FlinkReliability.publish(KAFKA, settings, v2);
            kills += kill(cluster, "right after publishing v2");
            probes += FlinkReliability.awaitModelVersion(KAFKA.bootstrapServers(), events, predictions, 2, "2", probeTs);

            long base = phase1.size() + probes;
            Thread producer2 = EventStreams.produceInBackground(KAFKA.bootstrapServers(), events, phase2);
            assertThat(committed.await(base + phase2.size() / 2, Duration.ofSeconds(150))).as("progress; %s%n%s", cluster.describe(id), cluster.logTails()).isTrue();
            kills += kill(cluster, "phase 2 at " + committed.count() + " committed");
            producer2.join(120_000);
            assertThat(committed.await(base + phase2.size(), Duration.ofSeconds(180))).as("phase 2 complete; %s%n%s", cluster.describe(id), cluster.logTails()).isTrue();
            Thread.sleep(2_000); // a checkpoint interval: a duplicate, if there were one, would be committed now
            long restarts = cluster.restarts(id);
            LOG.info("job restarts: {}; {}", restarts, cluster.describe(id));
            assertThat(restarts).as("the job restarted after each kill").isGreaterThanOrEqualTo(kills);
            cluster.cancel(id);
        }

        String committedOutput = input.assertCommittedAsWithoutFailures(KAFKA.bootstrapServers(), settings);
        LOG.info("TaskManager process kills: {} kills, {} events, {}, {} s", kills,
                phase1.size() + phase2.size(), committedOutput, (System.nanoTime() - t0) / 1_000_000_000);
        assertThat(kills).isEqualTo(3);
    }

    /** SIGKILLs the oldest TaskManager process and starts a new one in its place; returns 1. */
    private static int kill(FlinkProcessCluster cluster, String when) throws Exception {
        LOG.info("killing a TaskManager process ({})", when);
        assertThat(cluster.killOldestTaskManager()).as("exit code of a SIGKILLed JVM").isEqualTo(ChildJvm.KILLED);
        cluster.startTaskManager();
        return 1;
    }

    }

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
 * The JobManager process dies by SIGKILL under the running job, twice: a standalone cluster of separate
 * JVMs with ZooKeeper high availability (the mechanism the Kubernetes manifests' {@code
 * high-availability.type: kubernetes} implements with ConfigMaps instead of znodes), RocksDB state and
 * checkpoints to files. The first kill comes mid-stream, the second right after a new model version
 * was published. Each time a new JobManager process starts, as Kubernetes would restart the pod; it
 * must win the leadership, find the job and its latest checkpoint and run it again on the TaskManagers
 * that stayed up, with no one resubmitting anything. Read with read_committed, the predictions equal a
 * run without failures, per key, byte for byte.
 */
class JobManagerProcessKillTest {
    private static final Logger LOG = LoggerFactory.getLogger(JobManagerProcessKillTest.class);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    private static final int KEYS = 8;
    private static final int ROUNDS = 5_000; // × 8 keys × 2 phases = 80,000 events

    @TempDir
    Path dir;

    private final RecurrentModel v1 = TestModels.regression(45, CellType.LSTM, 2, 8, 1, "default", "1");
    private final RecurrentModel v2 = TestModels.regression(46, CellType.GRU, 2, 8, 1, "default", "2");

    @Test
    @Timeout(value = 480, unit = TimeUnit.SECONDS)
    void aKilledJobManagerIsReplacedAndTheJobContinuesFromItsLastCheckpointWithExactlyOnceOutput() throws Exception {
        long t0 = System.nanoTime();
        JobSettings settings = FlinkReliability.createTopics(KAFKA, "jmkill", 4);
        String events = settings.eventsTopic();
        String predictions = settings.predictionsTopic();
        FlinkSettings f = FlinkReliability.flink("jmkill", 1000, "rocksdb",
                Map.of(FlinkSettings.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString()));

        FlinkReliability.TwoPhases input = FlinkReliability.TwoPhases.of(settings, EventStreams.keys("j", KEYS), ROUNDS, 7, v1, v2);
        List<Ev> phase1 = input.phase1();
        List<Ev> phase2 = input.phase2();

        FlinkReliability.publish(KAFKA, settings, v1);
        int kills = 0;
        long[] probeTs = {0};
        int probes = 0;
        try (FlinkProcessCluster.ZooKeeper zk = FlinkProcessCluster.startZooKeeper(dir);
             FlinkProcessCluster cluster = FlinkProcessCluster.start(dir.resolve("cluster"), 2,
                     FlinkProcessCluster.zooKeeperHa(zk.quorum(), dir.resolve("ha")));
             CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), predictions, "read_committed")) {
            JobID id = cluster.submit(settings, f, 2);

            // phase 1: the first half is predicted, then the JobManager dies while the second half streams in
            EventStreams.produce(KAFKA.bootstrapServers(), events, phase1.subList(0, phase1.size() / 2));
            assertThat(committed.await(phase1.size() / 2, Duration.ofSeconds(120))).as("progress; %s", cluster.describe(id)).isTrue();
            EventStreams.produce(KAFKA.bootstrapServers(), events, phase1.subList(phase1.size() / 2, phase1.size()));
            kills += killJobManager(cluster, "phase 1 at " + committed.count() + " committed");
            cluster.awaitAllRunning(id, Duration.ofSeconds(180)); // recovered by the new JobManager, not resubmitted
            assertThat(committed.await(phase1.size(), Duration.ofSeconds(180))).as("phase 1 complete; %s", cluster.describe(id)).isTrue();

            // the swap in flight: publish v2 and kill the JobManager at once
            FlinkReliability.publish(KAFKA, settings, v2);
            kills += killJobManager(cluster, "right after publishing v2");
            cluster.awaitAllRunning(id, Duration.ofSeconds(180));
            probes += FlinkReliability.awaitModelVersion(KAFKA.bootstrapServers(), events, predictions, 2, "2", probeTs);

            EventStreams.produce(KAFKA.bootstrapServers(), events, phase2);
            assertThat(committed.await(phase1.size() + probes + phase2.size(), Duration.ofSeconds(180)))
                    .as("phase 2 complete; %s", cluster.describe(id)).isTrue();
            Thread.sleep(2_000); // a checkpoint interval: a duplicate, if there were one, would be committed now
            LOG.info("after {} JobManager kills: {}", kills, cluster.describe(id));
            // nobody resubmitted: the job this JobManager runs is the one it found in the HA store, restored from a checkpoint
            assertThat(cluster.restoredCheckpoints(id)).as("checkpoints restored by the newest JobManager").isGreaterThanOrEqualTo(1);
            cluster.cancel(id);
        }

        String committedOutput = input.assertCommittedAsWithoutFailures(KAFKA.bootstrapServers(), settings);
        LOG.info("JobManager process kills: {} kills, {} events, {}, {} s", kills,
                phase1.size() + phase2.size(), committedOutput, (System.nanoTime() - t0) / 1_000_000_000);
        assertThat(kills).isEqualTo(2);
    }

    /** SIGKILLs the JobManager process and starts a new one in its place; returns 1. */
    private static int killJobManager(FlinkProcessCluster cluster, String when) throws Exception {
        LOG.info("killing the JobManager process ({})", when);
        assertThat(cluster.killJobManager()).as("exit code of a SIGKILLed JVM").isEqualTo(ChildJvm.KILLED);
        cluster.startNewJobManager();
        return 1;
    }

    }

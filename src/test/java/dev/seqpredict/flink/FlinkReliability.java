package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A MiniCluster the reliability tests own (so they can terminate TaskManagers and take savepoints), and
 * the job settings and helpers they share.
 */
final class FlinkReliability {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_PARALLELISM = 128;

    private FlinkReliability() {
    }

    /**
     * Creates the job's four topics ({@code prefix}-events with {@code eventPartitions} partitions, predictions
     * and DLQ with one, models compacted) and returns the job settings that name them.
     */
    static JobSettings createTopics(KafkaTestSupport kafka, String prefix, int eventPartitions) {
        String events = KafkaTestSupport.uniqueTopic(prefix + "-events");
        String predictions = KafkaTestSupport.uniqueTopic(prefix + "-predictions");
        String dlq = KafkaTestSupport.uniqueTopic(prefix + "-dlq");
        String models = KafkaTestSupport.uniqueTopic(prefix + "-models");
        kafka.kafka().createTopics(eventPartitions, events);
        kafka.kafka().createTopics(1, predictions, dlq);
        kafka.kafka().createCompactedTopic(models, 1);
        Properties props = new Properties();
        props.setProperty(JobSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        return JobSettings.fromProperties(props).withTopics(events, predictions, dlq, models);
    }

    /** Publishes {@code m} as the model "default" (the job's default model name). */
    static void publish(KafkaTestSupport kafka, JobSettings settings, RecurrentModel m) {
        kafka.produceBytes(List.of(new ProducerRecord<>(settings.modelsTopic(), "default".getBytes(StandardCharsets.UTF_8),
                TestModels.bytes(m))));
    }

    /**
     * The failure tests' input: {@code rounds} sensor events per key served by model v1, then as many (ts from
     * 1,000,000) after v2 was published, and what a run without failures commits, per key.
     */
    record TwoPhases(List<EventStreams.Ev> phase1, List<EventStreams.Ev> phase2, Map<String, List<String>> want) {
        static TwoPhases of(JobSettings settings, List<String> keys, int rounds, long seed, RecurrentModel v1, RecurrentModel v2) {
            List<EventStreams.Ev> phase1 = EventStreams.sensorEvents(seed, keys, rounds, 0);
            List<EventStreams.Ev> phase2 = EventStreams.sensorEvents(seed + 1, keys, rounds, 1_000_000);
            Map<String, List<String>> want = new EventStreams.CoreReference(settings)
                    .offer("default", TestModels.bytes(v1)).feed(phase1)
                    .offer("default", TestModels.bytes(v2)).feed(phase2).byKey();
            return new TwoPhases(phase1, phase2, want);
        }

        /**
         * Reads the predictions topic with read_committed and asserts it holds, per key and in order, exactly
         * {@link #want} (probe keys aside), that each key's first phase-2 prediction came from v2 after a swap,
         * and that nothing reached the DLQ. Returns "N predictions committed (+P probes)" for the test's log.
         */
        String assertCommittedAsWithoutFailures(String bootstrap, JobSettings settings) {
            List<ConsumerRecord<byte[], byte[]>> out = EventStreams.readAllCommitted(bootstrap, settings.predictionsTopic());
            Map<String, List<String>> got = EventStreams.byKey(out);
            got.keySet().removeIf(k -> k.startsWith("probe-"));
            long total = got.values().stream().mapToLong(List::size).sum();
            assertThat(EventStreams.firstDifference(want, got)).isNull();
            assertThat(got).isEqualTo(want);
            String firstKey = phase1.get(0).key();
            int rounds = (int) phase1.stream().filter(e -> e.key().equals(firstKey)).count();
            assertThat(got.get(firstKey).get(rounds)).contains("\"version\":\"2\"").contains("\"swapped\":true");
            assertThat(EventStreams.readAllCommitted(bootstrap, settings.deadLetterTopic())).isEmpty();
            return total + " predictions committed (+" + (out.size() - total) + " probes)";
        }
    }

    /** A MiniCluster with {@code taskManagers} TaskManagers of {@code slots} slots each, started. */
    static MiniCluster startCluster(int taskManagers, int slots) throws Exception {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(16));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(16));
        // a loaded 2-core machine: do not declare a slow TaskManager dead
        conf.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(60));
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(taskManagers).setNumSlotsPerTaskManager(slots).build());
        cluster.start();
        return cluster;
    }

    /** The job's Flink settings for these tests: exactly-once, checkpoints every {@code checkpointMs}, many restarts. */
    static FlinkSettings flink(String id, long checkpointMs) {
        return flink(id, checkpointMs, "hashmap");
    }

    /** As above with the state backend ({@code hashmap} or {@code rocksdb}). */
    static FlinkSettings flink(String id, long checkpointMs, String backend) {
        return flink(id, checkpointMs, backend, Map.of());
    }

    /** As above, with more {@code flink.*} properties. */
    static FlinkSettings flink(String id, long checkpointMs, String backend, Map<String, String> more) {
        Properties p = new Properties();
        p.putAll(more);
        p.setProperty("state.backend.type", backend);
        p.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, Long.toString(checkpointMs));
        p.setProperty(FlinkSettings.RESTART_ATTEMPTS, "200");
        p.setProperty(FlinkSettings.RESTART_DELAY, "300");
        p.setProperty(FlinkSettings.GROUP_ID, "seqpredict-" + id);
        p.setProperty(FlinkSettings.TRANSACTIONAL_ID_PREFIX, "seqpredict-" + id);
        return FlinkSettings.fromProperties(p);
    }

    /** Submits the Kafka job at {@code parallelism}, restoring from {@code savepoint} when not null. */
    static JobID submit(MiniCluster cluster, JobSettings settings, FlinkSettings f, int parallelism, String savepoint)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(f.toConfiguration());
        env.setParallelism(parallelism);
        env.setMaxParallelism(MAX_PARALLELISM);
        PredictionJob.kafka(settings, f).build(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("seqpredict-" + f.groupId() + "-p" + parallelism);
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
    }

    /** Waits until the job and every one of its tasks run (the job is then past any restore). */
    static void awaitAllRunning(MiniCluster cluster, JobID job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus s = cluster.getJobStatus(job).get(30, TimeUnit.SECONDS);
            if (s.isGloballyTerminalState()) {
                throw new IllegalStateException("job " + job + " ended: " + s);
            }
            if (s == JobStatus.RUNNING) {
                AccessExecutionGraph g = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS);
                boolean all = true;
                for (var v : g.getAllExecutionVertices()) {
                    all &= ((AccessExecutionVertex) v).getExecutionState() == ExecutionState.RUNNING;
                }
                if (all) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job + " not running after " + timeout);
    }

    /** Stop-with-savepoint (retried while a task is still starting); returns the savepoint path. */
    static String stopWithSavepoint(MiniCluster cluster, JobID job, String dir) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            awaitAllRunning(cluster, job, Duration.ofSeconds(90));
            try {
                return cluster.stopWithSavepoint(job, dir, false, SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                last = e;
                Thread.sleep(500);
            }
        }
        throw new AssertionError("no savepoint of " + job, last);
    }

    /** The job's status, its tasks' states and its checkpoint counts, for a test's progress log. */
    static String describe(MiniCluster cluster, JobID job) {
        try {
            AccessExecutionGraph g = cluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS);
            Map<ExecutionState, Integer> states = new java.util.TreeMap<>();
            for (var v : g.getAllExecutionVertices()) {
                states.merge(((AccessExecutionVertex) v).getExecutionState(), 1, Integer::sum);
            }
            var cp = g.getCheckpointStatsSnapshot();
            return "job " + g.getState() + " tasks " + states + (cp == null ? "" : " checkpoints completed "
                    + cp.getCounts().getNumberOfCompletedCheckpoints() + " failed " + cp.getCounts().getNumberOfFailedCheckpoints()
                    + " in progress " + cp.getCounts().getNumberOfInProgressCheckpoints());
        } catch (Exception e) {
            return "job status unavailable: " + e;
        }
    }

    static void cancel(MiniCluster cluster, JobID job) {
        try {
            cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // already ended
        }
    }

    /** One key per subtask of the predict operator at {@code parallelism}. */
    static List<String> probeKeys(int parallelism) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            keys.add("");
        }
        for (int i = 0; keys.contains(""); i++) {
            String k = "probe-" + i;
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(k, MAX_PARALLELISM, parallelism);
            if (keys.get(subtask).isEmpty()) {
                keys.set(subtask, k);
            }
        }
        return keys;
    }

    /**
     * Sends events on probe keys (one per subtask) until each was predicted by model {@code version}; from
     * then on every subtask serves it. Returns the number of probe events sent (each is predicted).
     */
    static int awaitModelVersion(String bootstrap, String events, String predictions, int parallelism, String version,
                                 long[] probeTs) throws Exception {
        List<String> probes = probeKeys(parallelism);
        Map<String, Object> c = KafkaTestSupport.consumerConfig(bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int sent = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(predictions, Duration.ofSeconds(30))) {
                tps.add(new TopicPartition(predictions, p.partition()));
            }
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position);
            Set<String> served = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            long lastSend = 0;
            while (System.nanoTime() < deadline) {
                if (System.nanoTime() - lastSend > Duration.ofMillis(1000).toNanos()) {
                    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
                    for (String k : probes) {
                        records.add(new ProducerRecord<>(events, k.getBytes(StandardCharsets.UTF_8),
                                EventStreams.sensorJson(probeTs[0], 0.5f, 10f).getBytes(StandardCharsets.UTF_8)));
                    }
                    probeTs[0]++;
                    KafkaTestSupport.produceBytes(bootstrap, records);
                    sent += records.size();
                    lastSend = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (probes.contains(key) && JSON.readTree(r.value()).get("version").asText().equals(version)) {
                        served.add(key);
                    }
                }
                if (served.size() == probes.size()) {
                    return sent;
                }
            }
        }
        throw new AssertionError("model version " + version + " never served the probe keys");
    }
}

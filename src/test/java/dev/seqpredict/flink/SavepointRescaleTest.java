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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A savepoint taken at parallelism 2 restores at parallelism 1 and at parallelism 4 (key groups move
 * between subtasks; the broadcast models state is copied to new subtasks; the Kafka source splits and
 * the sink's transactions are redistributed). Each restored job continues on the events produced while
 * no job ran, and the output before the savepoint followed by the output after the restore equals, per
 * key and byte for byte, one uninterrupted run.
 */
class SavepointRescaleTest {
    private static final Logger LOG = LoggerFactory.getLogger(SavepointRescaleTest.class);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @TempDir
    Path savepoints;

    private final RecurrentModel model = TestModels.regression(51, CellType.LSTM, 2, 8, 1, "default", "1");

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aSavepointAtParallelism2RestoresAt1AndAt4AndContinuesExactly() throws Exception {
        long t0 = System.nanoTime();
        String events = KafkaTestSupport.uniqueTopic("sp-events");
        String models = KafkaTestSupport.uniqueTopic("sp-models");
        KAFKA.kafka().createTopics(4, events);
        KAFKA.kafka().createCompactedTopic(models, 1);
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, "default".getBytes(StandardCharsets.UTF_8), TestModels.bytes(model))));
        FlinkSettings f = FlinkReliability.flink("sp", 500);

        List<String> keys = EventStreams.keys("key-", 24);
        List<Ev> before = EventStreams.sensorEvents(5, keys, 300, 0);
        List<Ev> after = EventStreams.sensorEvents(6, keys, 300, 100_000);
        Map<String, List<String>> want = new EventStreams.CoreReference(settings(events, "x", models))
                .offer("default", TestModels.bytes(model)).feed(before).feed(after).byKey();

        MiniCluster cluster = FlinkReliability.startCluster(2, 2); // 4 slots
        try {
            // parallelism 2 until the savepoint
            JobSettings s2 = settings(events, "p2", models);
            EventStreams.produce(KAFKA.bootstrapServers(), events, before);
            JobID job2 = FlinkReliability.submit(cluster, s2, f, 2, null);
            awaitCommitted(s2.predictionsTopic(), before.size());
            String savepoint = FlinkReliability.stopWithSavepoint(cluster, job2, savepoints.toUri().toString());
            LOG.info("savepoint at parallelism 2: {}", savepoint);
            Map<String, List<String>> prefix = EventStreams.byKey(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), s2.predictionsTopic()));

            EventStreams.produce(KAFKA.bootstrapServers(), events, after); // while no job runs

            for (int parallelism : new int[] {1, 4}) {
                JobSettings s = settings(events, "p" + parallelism, models);
                JobID job = FlinkReliability.submit(cluster, s, f, parallelism, savepoint);
                awaitCommitted(s.predictionsTopic(), after.size());
                FlinkReliability.stopWithSavepoint(cluster, job, savepoints.resolve("p" + parallelism).toUri().toString());
                Map<String, List<String>> got = concat(prefix,
                        EventStreams.byKey(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), s.predictionsTopic())));
                assertThat(EventStreams.firstDifference(want, got)).as("restored at parallelism %d", parallelism).isNull();
                assertThat(got).isEqualTo(want);
                assertThat(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), s.deadLetterTopic()))
                        .as("nothing dead-lettered at parallelism %d (every subtask has the model)", parallelism).isEmpty();
            }
        } finally {
            cluster.close();
        }
        LOG.info("savepoint 2 -> 1 and 2 -> 4: {} + {} events, {} s", before.size(), after.size(), (System.nanoTime() - t0) / 1_000_000_000);
    }

    private static JobSettings settings(String events, String run, String models) {
        Properties p = new Properties();
        p.setProperty(JobSettings.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        String predictions = KafkaTestSupport.uniqueTopic("sp-predictions-" + run);
        String dlq = KafkaTestSupport.uniqueTopic("sp-dlq-" + run);
        if (!run.equals("x")) {
            KAFKA.kafka().createTopics(1, predictions, dlq);
        }
        return JobSettings.fromProperties(p).withTopics(events, predictions, dlq, models);
    }

    private static void awaitCommitted(String topic, long n) throws Exception {
        try (CommittedCounter c = new CommittedCounter(KAFKA.bootstrapServers(), topic, "read_committed")) {
            assertThat(c.await(n, Duration.ofSeconds(150))).as("%d predictions on %s", n, topic).isTrue();
        }
    }

    private static Map<String, List<String>> concat(Map<String, List<String>> a, Map<String, List<String>> b) {
        Map<String, List<String>> m = new TreeMap<>();
        a.forEach((k, v) -> m.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        b.forEach((k, v) -> m.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        return m;
    }
}

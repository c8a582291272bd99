package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.kstreams.PredictionApp;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker goes away while a job is half way through its input and comes back on the same port with
 * the same data ({@code EmbeddedKafka.stop()}, a pause, {@code restart()}). Nobody touches the job: it
 * recovers by itself, and the committed output equals a run without the outage, per key, byte for byte.
 */
class BrokerRestartTest {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRestartTest.class);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @TempDir
    Path stateDir;

    private static final RecurrentModel MODEL = TestModels.regression(81, CellType.LSTM, 2, 8, 1, "sensors", "1");
    private static final Duration OUTAGE = Duration.ofMillis(Long.getLong("seqpredict.broker.outage.ms", 5_000));

    private static Properties topics(String engine) {
        Properties p = EventStreams.floodProperties(KAFKA.bootstrapServers());
        p.setProperty(JobSettings.EVENTS_TOPIC, KAFKA.newTopic("br-" + engine + "-events", 2));
        p.setProperty(JobSettings.PREDICTIONS_TOPIC, KAFKA.newTopic("br-" + engine + "-predictions"));
        p.setProperty(JobSettings.DLQ_TOPIC, KAFKA.newTopic("br-" + engine + "-dlq"));
        String models = KafkaTestSupport.uniqueTopic("br-" + engine + "-models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        p.setProperty(JobSettings.MODELS_TOPIC, models);
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, "sensors".getBytes(StandardCharsets.UTF_8), TestModels.bytes(MODEL))));
        return p;
    }

    /**
     * Produces the first part, stops the broker as soon as a quarter of it is committed (the job is still
     * working through the rest), restarts it after the outage, produces the second part.
     */
    private static void runThroughARestart(JobSettings s, List<Ev> first, List<Ev> second, String engine) throws Exception {
        long t0 = System.nanoTime();
        Map<String, List<String>> want = new EventStreams.CoreReference(s).offer("sensors", TestModels.bytes(MODEL))
                .feed(first).feed(second).byKey();
        try (CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), s.predictionsTopic(), "read_committed")) {
            EventStreams.produce(KAFKA.bootstrapServers(), s.eventsTopic(), first);
            assertThat(committed.await(first.size() / 4, Duration.ofSeconds(120))).isTrue();
            long at = committed.count();
            KAFKA.kafka().stop();
            Thread.sleep(OUTAGE.toMillis());
            KAFKA.kafka().restart();
            LOG.info("{}: broker stopped at {} of {} predictions committed ({} in the first part), back after {} ms", engine, at,
                    first.size() + second.size(), first.size(), OUTAGE.toMillis());
            EventStreams.produce(KAFKA.bootstrapServers(), s.eventsTopic(), second);
            assertThat(committed.await(first.size() + second.size(), Duration.ofSeconds(240))).as("%s recovered", engine).isTrue();
            Thread.sleep(1_500); // a duplicate, if there were one, would be committed by now
        }
        Map<String, List<String>> got = EventStreams.byKey(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), s.predictionsTopic()));
        LOG.info("{}: broker restart, {} events, {} s", engine, first.size() + second.size(), (System.nanoTime() - t0) / 1_000_000_000);
        assertThat(EventStreams.firstDifference(want, got)).as(engine).isNull();
        assertThat(got).isEqualTo(want);
        assertThat(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), s.deadLetterTopic())).isEmpty();
    }

    @Test
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void theFlinkJobRecoversFromABrokerRestartWithExactlyOnceOutput() throws Exception {
        JobSettings s = JobSettings.fromProperties(topics("flink"));
        List<String> keys = EventStreams.keys("f", 8);
        MiniCluster cluster = FlinkReliability.startCluster(1, 2);
        try {
            JobID job = FlinkReliability.submit(cluster, s, FlinkReliability.flink("broker-restart", 500), 2, null);
            FlinkReliability.awaitAllRunning(cluster, job, Duration.ofSeconds(120));
            runThroughARestart(s, EventStreams.sensorEvents(1, keys, 5_000, 0), EventStreams.sensorEvents(2, keys, 2_500, 100_000), "flink");
            FlinkReliability.cancel(cluster, job);
        } finally {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 360, unit = TimeUnit.SECONDS)
    void theKafkaStreamsAppRecoversFromABrokerRestartWithExactlyOnceOutput() throws Exception {
        Properties p = topics("kstreams");
        p.setProperty("streams.application.id", KafkaTestSupport.uniqueTopic("br-app"));
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("streams.commit.interval.ms", "500");
        p.setProperty(PredictionApp.HTTP_PORT, "-1");
        JobSettings s = JobSettings.fromProperties(p);
        List<String> keys = EventStreams.keys("k", 8);
        try (PredictionApp app = PredictionApp.start(p)) {
            await().atMost(Duration.ofSeconds(120)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
            runThroughARestart(s, EventStreams.sensorEvents(3, keys, 2_500, 0), EventStreams.sensorEvents(4, keys, 1_250, 100_000), "kstreams");
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }
}

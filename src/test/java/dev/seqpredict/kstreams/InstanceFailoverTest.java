package dev.seqpredict.kstreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two instances of the application share the events topic's four partitions under exactly_once_v2. In
 * the middle of the run the stream thread of the instance that owns a marked record dies on it (an
 * {@link Error} past every handler, with a transaction open), and that instance is closed without leaving
 * the group, as a crashed process would be. The other instance takes its partitions over once the
 * session times out and restores their state from the changelog; then the crashed instance restarts on
 * its old state directory and gets partitions back. Read with read_committed, the predictions equal an
 * uninterrupted run per key, byte for byte.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class InstanceFailoverTest {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceFailoverTest.class);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @TempDir
    Path dirs;

    private static final RecurrentModel MODEL = TestModels.regression(61, CellType.LSTM, 2, 8, 1, "sensors", "1");

    private Properties job(String events, String predictions, String dlq, String models, String appId, String instance) {
        Properties p = KStreamsFixtures.failoverProperties(KAFKA.bootstrapServers(), events, predictions, dlq, models, appId,
                dirs.resolve(instance));
        p.setProperty("streams.default.timestamp.extractor", CrashOnMarkedRecord.class.getName());
        p.setProperty(PredictionApp.SHUTDOWN_TIMEOUT_MS, "20000");
        return p;
    }

    @Test
    void aCrashedInstancesPartitionsMoveToTheOtherAndBackWithExactlyOnceOutput() throws Exception {
        long t0 = System.nanoTime();
        String events = KAFKA.newTopic("fo-events", 4);
        String predictions = KAFKA.newTopic("fo-predictions");
        String dlq = KAFKA.newTopic("fo-dlq");
        String models = KafkaTestSupport.uniqueTopic("fo-models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        String appId = KafkaTestSupport.uniqueTopic("fo-app");
        Properties p1 = job(events, predictions, dlq, models, appId, "one");
        Properties p2 = job(events, predictions, dlq, models, appId, "two");
        JobSettings settings = JobSettings.fromProperties(p1);
        byte[] artifact = TestModels.bytes(MODEL);
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, "sensors".getBytes(StandardCharsets.UTF_8), artifact)));

        List<String> keys = EventStreams.keys("s", 16);
        List<Ev> all = new ArrayList<>(EventStreams.sensorEvents(7, keys, 1_800, 0)); // 28,800 events
        int third = all.size() / 3;
        int markedAt = third + third / 2;
        Ev m = all.get(markedAt);
        all.set(markedAt, Ev.good(m.key(), m.json().replace("{", "{\"crash_here\":true,"))); // ignored by the parser
        Map<String, List<String>> want = new EventStreams.CoreReference(settings).offer("sensors", artifact).feed(all).byKey();
        CrashOnMarkedRecord.ARMED.set(true);

        PredictionApp one = PredictionApp.start(p1);
        PredictionApp two = PredictionApp.start(p2);
        PredictionApp restarted = null;
        try (CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), predictions, "read_committed")) {
            await().atMost(Duration.ofSeconds(120)).until(() -> running(one) && running(two)
                    && !one.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()
                    && !two.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty());

            EventStreams.produce(KAFKA.bootstrapServers(), events, all.subList(0, third));
            assertThat(committed.await(third, Duration.ofSeconds(120))).isTrue();

            EventStreams.produce(KAFKA.bootstrapServers(), events, all.subList(third, 2 * third));
            await().atMost(Duration.ofSeconds(120)).until(() -> one.streams().state() == KafkaStreams.State.ERROR
                    || two.streams().state() == KafkaStreams.State.ERROR);
            PredictionApp crashed = one.streams().state() == KafkaStreams.State.ERROR ? one : two;
            PredictionApp survivor = crashed == one ? two : one;
            Properties crashedProps = crashed == one ? p1 : p2;
            long atCrash = committed.count();
            crashed.close(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP); // no leave-group: the session must time out
            LOG.info("instance {} crashed with {} predictions committed", crashed == one ? "one" : "two", atCrash);
            assertThat(CrashOnMarkedRecord.ARMED).isFalse();

            // the survivor takes every partition over and finishes the second third
            assertThat(committed.await(2L * third, Duration.ofSeconds(150))).as("survivor caught up").isTrue();
            assertThat(survivor.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);

            // the crashed instance comes back on its old state directory and gets partitions again
            restarted = PredictionApp.start(crashedProps);
            PredictionApp back = restarted;
            await().atMost(Duration.ofSeconds(120)).until(() -> running(back) && running(survivor)
                    && !back.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
            EventStreams.produce(KAFKA.bootstrapServers(), events, all.subList(2 * third, all.size()));
            assertThat(committed.await(all.size(), Duration.ofSeconds(150))).as("all predicted").isTrue();
            Thread.sleep(1_500); // a few commit intervals: a duplicate would be visible now
        } finally {
            for (PredictionApp app : new PredictionApp[] {one, two, restarted}) {
                if (app != null) {
                    app.close();
                }
            }
        }
        List<ConsumerRecord<byte[], byte[]>> out = EventStreams.readAllCommitted(KAFKA.bootstrapServers(), predictions);
        Map<String, List<String>> got = EventStreams.byKey(out);
        LOG.info("failover: {} events, {} predictions committed, {} s", all.size(), out.size(), (System.nanoTime() - t0) / 1_000_000_000);
        assertThat(EventStreams.firstDifference(want, got)).isNull();
        assertThat(got).isEqualTo(want);
        assertThat(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), dlq)).isEmpty();
    }

    private static boolean running(PredictionApp app) {
        return app.streams().state() == KafkaStreams.State.RUNNING;
    }

    /** Kills the stream thread (an Error, past every handler) at the marked record, once. */
    public static final class CrashOnMarkedRecord implements TimestampExtractor {
        static final AtomicBoolean ARMED = new AtomicBoolean();

        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            if (record.value() instanceof byte[] v && ARMED.get() && new String(v, StandardCharsets.UTF_8).contains("crash_here")
                    && ARMED.compareAndSet(true, false)) {
                throw new SimulatedCrash();
            }
            return record.timestamp();
        }
    }

    private static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash of the stream thread");
        }
    }
}

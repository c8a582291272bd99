package dev.seqpredict.kstreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.SessionSettings;
import dev.seqpredict.testing.EndSymbolModels;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.EventStreams.CommittedCounter;
import dev.seqpredict.testing.SessionStreams;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session verdicts are exactly-once under exactly_once_v2: the stream thread dies on a marked record in the middle
 * of the run (an {@link Error} past every handler, with a transaction open, sessions open and verdicts written but
 * not committed), the instance is closed without leaving the group, and a new instance on a fresh state directory
 * restores the session stores from their changelogs and goes on. Read with read_committed, the verdicts are those
 * of an uninterrupted run: none lost, none doubled (per key, in order, byte for byte).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SessionVerdictsFailoverTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    private static final long GAP = 5_000;
    /** Recent: the broker's 24 h retention would delete older records at its first check. */
    private static final long T0 = System.currentTimeMillis() - 900_000;

    @TempDir
    Path dirs;

    @Test
    void aCrashMidRunNeitherLosesNorDoublesAVerdict() throws Exception {
        String events = KAFKA.newTopic("sv-events", 2);
        String verdicts = KAFKA.newTopic("sv-verdicts");
        String models = KafkaTestSupport.uniqueTopic("sv-models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        String appId = KafkaTestSupport.uniqueTopic("sv-app");
        byte[] artifact = TestModels.bytes(EndSymbolModels.abEnd(true));
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, "default".getBytes(StandardCharsets.UTF_8), artifact)));

        List<ProducerRecord<String, String>> in = SessionStreams.input(events, T0, GAP, 2_400, 17);
        int markedAt = in.size() / 2 + 37;
        ProducerRecord<String, String> m = in.get(markedAt);
        in.set(markedAt, new ProducerRecord<>(events, m.partition(), m.timestamp(), m.key(),
                m.value().replace("{", "{\"crash_here\":true,")));

        Properties p = KStreamsFixtures.failoverProperties(KAFKA.bootstrapServers(), events, KAFKA.newTopic("sv-predictions"),
                KAFKA.newTopic("sv-dlq"), models, appId, dirs.resolve("one"));
        p.setProperty(JobSettings.MODEL_NAME, "default");
        p.setProperty(JobSettings.MODEL_SELECTION, "single");
        p.setProperty(JobSettings.TOP_G, "1");
        p.setProperty(SessionSettings.GAP, Long.toString(GAP));
        p.setProperty(SessionSettings.CHECK, "1000");
        p.setProperty(SessionSettings.END_EVENT, "END");
        p.setProperty(SessionSettings.VERDICTS_TOPIC, verdicts);
        p.setProperty("streams.default.timestamp.extractor", InstanceFailoverTest.CrashOnMarkedRecord.class.getName());
        p.setProperty(PredictionApp.SHUTDOWN_TIMEOUT_MS, "20000");
        Map<String, List<String>> want = SessionStreams.reference(JobSettings.fromProperties(p), "default", artifact, in);
        int sessions = want.values().stream().mapToInt(List::size).sum();

        InstanceFailoverTest.CrashOnMarkedRecord.ARMED.set(true);
        PredictionApp one = PredictionApp.start(p);
        PredictionApp two = null;
        try (CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), verdicts, "read_committed")) {
            await().atMost(Duration.ofSeconds(120)).until(() -> one.streams().state() == KafkaStreams.State.RUNNING);
            KAFKA.produceStrings(in);
            await().atMost(Duration.ofSeconds(120)).until(() -> one.streams().state() == KafkaStreams.State.ERROR);
            long atCrash = committed.count();
            one.close(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
            assertThat(InstanceFailoverTest.CrashOnMarkedRecord.ARMED).isFalse();
            assertThat(atCrash).isLessThan(sessions);

            Properties p2 = new Properties();
            p2.putAll(p);
            p2.setProperty("streams.state.dir", dirs.resolve("two").toString()); // restores from the changelogs
            two = PredictionApp.start(p2);
            assertThat(committed.await(sessions, Duration.ofSeconds(150))).as("all verdicts").isTrue();
            Thread.sleep(1_500); // a few commit intervals: a duplicate would be visible now
        } finally {
            one.close();
            if (two != null) {
                two.close();
            }
        }
        Map<String, List<String>> got = EventStreams.byKey(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), verdicts));
        assertThat(new TreeMap<>(got)).isEqualTo(want);
        assertThat(sessions).isGreaterThan(300);
    }
}

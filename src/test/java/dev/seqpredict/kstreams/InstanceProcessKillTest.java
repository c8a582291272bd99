package dev.seqpredict.kstreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.testing.ChildJvm;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.EventStreams.CommittedCounter;
import dev.seqpredict.testing.EventStreams.Ev;
import dev.seqpredict.testing.TestModels;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two instances of the application, each its own JVM ({@link PredictionApp#main}, as deployed), share
 * the events topic's four partitions under exactly_once_v2. Each instance in turn is killed with SIGKILL
 * while it processes: no shutdown hook, no close, its transaction left open and its group membership
 * left to time out. The other instance must take the dead one's partitions over (restoring their state
 * from the changelog, after the open transaction is aborted), and the dead one, started again on its
 * old state directory, must get partitions back. Read with read_committed, the predictions equal an
 * uninterrupted run per key, byte for byte, and nothing reaches the DLQ.
 */
@Timeout(value = 360, unit = TimeUnit.SECONDS)
class InstanceProcessKillTest {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceProcessKillTest.class);

    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @TempDir
    Path dir;

    private static final RecurrentModel MODEL = TestModels.regression(67, CellType.LSTM, 2, 8, 1, "sensors", "1");

    @Test
    void killingEachInstanceWithSigkillMidRunLeavesTheCommittedOutputAsWithoutFailures() throws Exception {
        long t0 = System.nanoTime();
        String events = KAFKA.newTopic("kill-events", 4);
        String predictions = KAFKA.newTopic("kill-predictions");
        String dlq = KAFKA.newTopic("kill-dlq");
        String models = KafkaTestSupport.uniqueTopic("kill-models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        String appId = KafkaTestSupport.uniqueTopic("kill-app");
        Path[] config = {writeConfig("a", events, predictions, dlq, models, appId), writeConfig("b", events, predictions, dlq, models, appId)};
        byte[] artifact = TestModels.bytes(MODEL);
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, "sensors".getBytes(StandardCharsets.UTF_8), artifact)));

        List<Ev> all = EventStreams.sensorEvents(11, EventStreams.keys("s", 16), 1_500, 0); // 24,000 events
        Map<String, List<String>> want = new EventStreams.CoreReference(JobSettings.fromProperties(PredictionApp.load(config[0])))
                .offer("sensors", artifact).feed(all).byKey();
        int third = all.size() / 3;

        ChildJvm[] instances = {start("a", config[0]), start("b", config[1])};
        int kills = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()));
             CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), predictions, "read_committed")) {
            awaitStableGroupOf(admin, appId, 2, instances);
            EventStreams.produce(KAFKA.bootstrapServers(), events, all.subList(0, third));
            assertThat(committed.await(third, Duration.ofSeconds(120))).as("first third predicted").isTrue();

            // rounds 2 and 3: kill one instance half way through a third, let the other finish it, restart the dead one
            for (int round = 1; round <= 2; round++) {
                int victim = round - 1;
                List<Ev> chunk = all.subList(round * third, round == 2 ? all.size() : (round + 1) * third);
                long before = committed.count();
                EventStreams.produce(KAFKA.bootstrapServers(), events, chunk);
                assertThat(committed.await(before + chunk.size() / 2, Duration.ofSeconds(120))).isTrue();
                long atKill = committed.count();
                assertThat(instances[victim].kill()).as("exit code of a SIGKILLed JVM").isEqualTo(ChildJvm.KILLED);
                kills++;
                LOG.info("killed instance {} with {} of {} predictions committed", instances[victim].name(), atKill, before + chunk.size());
                // the survivor alone finishes the chunk: it took the dead instance's partitions over
                assertThat(committed.await(before + chunk.size(), Duration.ofSeconds(150)))
                        .as("survivor caught up; its log:\n%s", instances[1 - victim].tail(40)).isTrue();
                // ... and owns all of them once the dead one's session timed out
                ConsumerGroupDescription alone = awaitStableGroupOf(admin, appId, 1, instances[1 - victim]);
                assertThat(alone.members().iterator().next().assignment().topicPartitions())
                        .filteredOn(tp -> tp.topic().equals(events)).hasSize(4);
                instances[victim] = start(instances[victim].name(), config[victim]);
                awaitStableGroupOf(admin, appId, 2, instances);
            }
            Thread.sleep(1_500); // a few commit intervals: a duplicate would be visible now
        } finally {
            for (ChildJvm i : instances) {
                i.close();
            }
        }
        List<ConsumerRecord<byte[], byte[]>> out = EventStreams.readAllCommitted(KAFKA.bootstrapServers(), predictions);
        Map<String, List<String>> got = EventStreams.byKey(out);
        LOG.info("process kills: {} kills, {} events, {} predictions committed, {} s", kills, all.size(), out.size(),
                (System.nanoTime() - t0) / 1_000_000_000);
        assertThat(kills).isEqualTo(2);
        assertThat(EventStreams.firstDifference(want, got)).isNull();
        assertThat(got).isEqualTo(want);
        assertThat(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), dlq)).isEmpty();
    }

    private ChildJvm start(String name, Path config) throws Exception {
        return ChildJvm.start(name, dir, "384m", List.of(), PredictionApp.class.getName(), config.toString());
    }

    private Path writeConfig(String instance, String events, String predictions, String dlq, String models, String appId) throws Exception {
        Properties p = KStreamsFixtures.failoverProperties(KAFKA.bootstrapServers(), events, predictions, dlq, models, appId,
                dir.resolve("state-" + instance));
        // the open transaction of a killed instance blocks read_committed readers until it times out
        p.setProperty("streams.producer.transaction.timeout.ms", "10000");
        Path file = dir.resolve(instance + ".properties");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "instance " + instance);
        }
        return file;
    }

    /** Waits until the application's group is stable with {@code members} members, each owning events partitions. */
    private static ConsumerGroupDescription awaitStableGroupOf(Admin admin, String appId, int members, ChildJvm... instances) {
        ConsumerGroupDescription[] last = new ConsumerGroupDescription[1];
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            for (ChildJvm i : instances) {
                assertThat(i.isAlive()).as("%s alive; its log:\n%s", i.name(), i.tail(40)).isTrue();
            }
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(appId)).all().get(10, TimeUnit.SECONDS).get(appId);
            assertThat(g.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(g.members()).hasSize(members);
            for (MemberDescription m : g.members()) {
                assertThat(new ArrayList<>(m.assignment().topicPartitions())).as("partitions of %s", m.consumerId()).isNotEmpty();
            }
            last[0] = g;
        });
        return last[0];
    }
}

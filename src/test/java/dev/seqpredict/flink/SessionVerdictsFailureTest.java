package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.SessionSettings;
import dev.seqpredict.testing.EndSymbolModels;
import dev.seqpredict.testing.EventStreams;
import dev.seqpredict.testing.EventStreams.CommittedCounter;
import dev.seqpredict.testing.SessionStreams;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Session verdicts are exactly-once in Flink: the job fails once in the middle of the run (after verdicts were
 * committed, with sessions open, their timers pending and verdicts in an open transaction) and restores from its
 * last checkpoint. Read with read_committed, the verdicts are those of an uninterrupted run: none lost, none doubled
 * (per key, in order, byte for byte).
 */
class SessionVerdictsFailureTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    private static final long GAP = 5_000;
    /** Recent: the broker's 24 h retention would delete older records at its first check. */
    private static final long T0 = System.currentTimeMillis() - 900_000;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aFailureMidRunNeitherLosesNorDoublesAVerdict() throws Exception {
        JobSettings base = FlinkReliability.createTopics(KAFKA, "sessions-fail", 2);
        String verdicts = KAFKA.newTopic("sessions-fail-verdicts");
        JobSettings settings = base.withPredictor(PredictorConfig.DEFAULTS.withTopG(1))
                .withSessions(SessionSettings.gap(GAP).withEndEvent("END").withVerdictsTopic(verdicts));
        byte[] artifact = TestModels.bytes(EndSymbolModels.abEnd(true));
        KAFKA.produceBytes(List.of(new ProducerRecord<>(settings.modelsTopic(), settings.defaultModel().getBytes(StandardCharsets.UTF_8),
                artifact)));
        List<ProducerRecord<String, String>> in = SessionStreams.input(settings.eventsTopic(), T0, GAP, 2_400, 23);
        Map<String, List<String>> want = SessionStreams.reference(settings, settings.defaultModel(), artifact, in);
        int sessions = want.values().stream().mapToInt(List::size).sum();
        List<ProducerRecord<String, String>> first = in.subList(0, in.size() / 2);
        List<ProducerRecord<String, String>> second = in.subList(in.size() / 2, in.size());

        FlinkSettings f = FlinkReliability.flink("sessions-fail", 500);
        PredictionJobEndToEndTest.FailOnce.SEEN.set(0);
        PredictionJobEndToEndTest.FailOnce.FAILED.set(false);
        StreamExecutionEnvironment env = PredictionJob.environment(f);
        env.setParallelism(2);
        PredictionJob.kafka(settings, f).build(env, s -> s.map(new PredictionJobEndToEndTest.FailOnce(first.size() + 37)).name("fail-once"));
        KAFKA.produceStrings(first);
        JobClient job = env.executeAsync("sessions-fail-once");
        try (CommittedCounter committed = new CommittedCounter(KAFKA.bootstrapServers(), verdicts, "read_committed")) {
            assertThat(committed.await(1, Duration.ofSeconds(90))).as("verdicts committed before the failure").isTrue();
            long before = committed.count();
            KAFKA.produceStrings(second);
            assertThat(committed.await(sessions, Duration.ofSeconds(120))).as("all verdicts").isTrue();
            assertThat(PredictionJobEndToEndTest.FailOnce.FAILED).isTrue();
            assertThat(before).isLessThan(sessions);
            Thread.sleep(1_500); // a few checkpoints: a duplicate would be committed by now
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
        Map<String, List<String>> got = EventStreams.byKey(EventStreams.readAllCommitted(KAFKA.bootstrapServers(), verdicts));
        assertThat(new TreeMap<>(got)).isEqualTo(want);
        assertThat(sessions).isGreaterThan(300);
    }
}

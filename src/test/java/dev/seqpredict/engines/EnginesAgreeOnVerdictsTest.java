package dev.seqpredict.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.flink.FlinkStreamEngine;
import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.kstreams.PredictionApp;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.SessionSettings;
import dev.seqpredict.testing.EndSymbolModels;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions through both engines: the same log events (sessions ended by a gap, by the end marker and by the end
 * field, with misses, unknown ids and early stops) give the same verdicts, byte for byte with the same record
 * timestamps, per key in order. Event time is the records' Kafka timestamps, in order; a last record far ahead on
 * every partition moves Flink's watermark and Kafka Streams' stream time past every session's gap.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EnginesAgreeOnVerdictsTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    /**
     * Recent record timestamps: the broker's retention (24 h) would delete older ones at its first check, 30 s
     * after it starts; future ones are refused past an hour.
     */
    private static final long T0 = System.currentTimeMillis() - 600_000;
    private static final long GAP = 10_000;

    @TempDir
    Path stateDir;

    @Test
    void flinkAndKafkaStreamsGiveTheSameVerdicts() throws Exception {
        String events = KAFKA.newTopic("events", 2);
        String models = KafkaTestSupport.uniqueTopic("models");
        KAFKA.kafka().createCompactedTopic(models, 1);
        KAFKA.produceBytes(List.of(new ProducerRecord<>(models, "default".getBytes(StandardCharsets.UTF_8),
                TestModels.bytes(EndSymbolModels.abEnd(true)))));

        List<ProducerRecord<String, String>> in = new ArrayList<>();
        Random r = new Random(3);
        String[] symbols = {"a", "b", "a", "b", "zz"};
        int sessions = 0;
        for (String key : List.of("h1", "h2", "h3", "h4", "h5", "h6")) {
            long t = T0 + r.nextInt(1000);
            for (int s = 0; s < 3; s++) {
                int n = 1 + r.nextInt(4);
                int end = r.nextInt(3); // 0: by gap, 1: the marker, 2: the field on the last event
                for (int i = 0; i < n; i++) {
                    String field = end == 2 && i == n - 1 ? ",\"session_end\":true" : "";
                    in.add(logEvent(events, null, key, t, symbols[r.nextInt(symbols.length)], field));
                    t += 100 + r.nextInt(900);
                }
                if (end == 1) {
                    in.add(logEvent(events, null, key, t, "END", ""));
                }
                sessions++;
                t += GAP + r.nextInt(5000);
            }
        }
        in.add(logEvent(events, null, "early", T0, "a", "")); // stops where the end is unlikely
        sessions++;
        // in event-time order, as a live stream comes: a record behind stream time by more than the gap may find its
        // session already closed, and when depends on when each engine looks (watermark interval, punctuation)
        in.sort(java.util.Comparator.comparingLong(ProducerRecord::timestamp));
        long far = T0 + 100 * GAP;
        in.add(logEvent(events, 0, "clock-0", far, "a", ""));
        in.add(logEvent(events, 1, "clock-1", far, "a", ""));
        KAFKA.produceStrings(in);

        JobSettings base = JobSettings.defaults(KAFKA.bootstrapServers())
                .withPredictor(PredictorConfig.DEFAULTS.withTopG(1))
                .withSessions(SessionSettings.gap(GAP).withEndEvent("END").withCheckMs(1000));

        // Flink
        String flinkVerdicts = KAFKA.newTopic("verdicts-flink", 2);
        JobSettings flinkJob = base.withTopics(events, KAFKA.newTopic("predictions-flink", 2), KAFKA.newTopic("dlq-flink"), models)
                .withSessions(base.sessions().withVerdictsTopic(flinkVerdicts));
        Properties flink = new Properties();
        flink.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, "500");
        flink.setProperty(FlinkSettings.PARALLELISM, "2");
        try (FlinkStreamEngine engine = new FlinkStreamEngine(flink)) {
            engine.start(flinkJob);
            awaitCount(flinkVerdicts, sessions);
        }

        // Kafka Streams
        String ksVerdicts = KAFKA.newTopic("verdicts-kstreams", 2);
        Properties p = base.withTopics(events, KAFKA.newTopic("predictions-kstreams", 2), KAFKA.newTopic("dlq-kstreams"), models)
                .withSessions(base.sessions().withVerdictsTopic(ksVerdicts)).toProperties();
        p.setProperty("streams.application.id", KafkaTestSupport.uniqueTopic("agree-sessions"));
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("streams.commit.interval.ms", "200");
        p.setProperty(PredictionApp.HTTP_PORT, "-1");
        PredictionApp app = PredictionApp.start(p);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
            awaitCount(ksVerdicts, sessions);
        } finally {
            app.close();
        }

        // the two clock records only move time; their own sessions close only if an engine's time moves on again
        // (Flink: a final watermark while the engine shuts down), which is a race the test does not compare
        Map<String, List<String>> fromFlink = byKey(read(flinkVerdicts));
        Map<String, List<String>> fromKStreams = byKey(read(ksVerdicts));
        fromFlink.keySet().removeIf(k -> k.startsWith("clock-"));
        fromKStreams.keySet().removeIf(k -> k.startsWith("clock-"));
        assertThat(fromKStreams).isEqualTo(fromFlink);
        assertThat(fromFlink.values().stream().mapToInt(List::size).sum()).as(fromFlink.toString()).isEqualTo(sessions);
        String all = fromFlink.toString();
        assertThat(all).contains("\"closed_by\":\"gap\"", "\"closed_by\":\"end\"", "\"verdict\":\"normal\"",
                "\"reason\":\"miss\"", "\"reason\":\"end\"", "\"reason\":\"unknown_event\"");
    }

    private static ProducerRecord<String, String> logEvent(String topic, Integer partition, String key, long ts,
                                                           String event, String more) {
        return new ProducerRecord<>(topic, partition, ts, key, "{\"ts\":" + ts + ",\"event\":\"" + event + "\"" + more + "}");
    }

    private static void awaitCount(String topic, int n) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> read(topic).size() >= n);
        } catch (RuntimeException e) {
            throw new AssertionError(n + " verdicts expected in " + topic + ", got "
                    + read(topic).stream().map(ConsumerRecord::value).toList(), e);
        }
    }

    private static List<ConsumerRecord<String, String>> read(String topic) {
        return KafkaTestSupport.readAllCommitted(KAFKA.bootstrapServers(), topic, new StringDeserializer(),
                new StringDeserializer(), Duration.ofSeconds(10));
    }

    /** Each key's verdicts ("timestamp json") in the order they were written. */
    private static Map<String, List<String>> byKey(List<ConsumerRecord<String, String>> records) {
        Map<String, List<String>> m = new TreeMap<>();
        for (ConsumerRecord<String, String> rec : records) {
            m.computeIfAbsent(rec.key(), k -> new ArrayList<>()).add(rec.timestamp() + " " + rec.value());
        }
        return m;
    }
}

package dev.seqpredict.kstreams;

import static dev.seqpredict.kstreams.KStreamsFixtures.EVENTS;
import static dev.seqpredict.kstreams.KStreamsFixtures.MODELS;
import static dev.seqpredict.kstreams.KStreamsFixtures.PREDICTIONS;
import static dev.seqpredict.kstreams.KStreamsFixtures.count;
import static dev.seqpredict.kstreams.KStreamsFixtures.floats;
import static dev.seqpredict.kstreams.KStreamsFixtures.json;
import static dev.seqpredict.kstreams.KStreamsFixtures.sensorJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams bounds the number of keys it keeps with a state TTL in stream time: a key whose last
 * record is older than the TTL loses its state (deleted from the store, so from its changelog too) and
 * starts afresh on its next event; active keys keep theirs.
 */
class IdleKeysExpireTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final RecurrentModel SENSORS = TestModels.regression(21, CellType.GRU, 3, 8, 1, "sensors", "1");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private SimpleMeterRegistry meters;
    private TestInputTopic<String, String> events;
    private TestOutputTopic<String, String> predictions;

    private void start(Duration ttl) {
        Properties job = KStreamsFixtures.jobProperties("unused:9092", "rewarm");
        JobSettings settings = JobSettings.fromProperties(job);
        meters = new SimpleMeterRegistry();
        StreamMetrics metrics = new StreamMetrics(meters, PredictionApp.ENGINE);
        driver = new TopologyTestDriver(PredictionTopology.build(settings, metrics, settings.modelVerifier(), ttl),
                KStreamsFixtures.driverConfig(job, settings, metrics, stateDir));
        events = driver.createInputTopic(EVENTS, new StringSerializer(), new StringSerializer());
        predictions = driver.createOutputTopic(PREDICTIONS, new StringDeserializer(), new StringDeserializer());
        driver.createInputTopic(MODELS, new StringSerializer(), new ByteArraySerializer())
                .pipeInput("sensors", TestModels.bytes(SENSORS));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private KeyValueStore<String, KeyState> states() {
        return driver.getKeyValueStore(PredictionTopology.STATE_STORE);
    }

    /** Sends one event for key at record time t; returns its prediction's values. */
    private float[] send(String key, long t, float... values) {
        events.pipeInput(key, sensorJson(t, values), t);
        return floats(json(predictions.readValue()).get("prediction"));
    }

    @Test
    void aKeyIdleLongerThanTheTtlLosesItsStateAndStartsAfresh() {
        start(TTL);
        float[] firstOfIdle = send("idle", T0, 1f, 2f, 3f);
        send("idle", T0 + 1_000, 4f, 5f, 6f);
        for (long t = T0; t <= T0 + TTL.toMillis() + Duration.ofMinutes(3).toMillis(); t += 30_000) {
            send("busy", t, 1f, 1f, 1f); // stream time moves on with the busy key only
        }
        assertThat(states().get("idle")).as("idle for more than the TTL").isNull();
        assertThat(states().get("busy").events()).isGreaterThan(20);
        assertThat(count(meters, "seqpredict.keys.expired")).isEqualTo(1);

        // the idle key starts again from a zero state: the same first input gives the same first prediction
        assertThat(send("idle", T0 + TTL.toMillis() + Duration.ofMinutes(4).toMillis(), 1f, 2f, 3f))
                .containsExactly(firstOfIdle);
        assertThat(states().get("idle").events()).isEqualTo(1);
    }

    @Test
    void aKeyActiveWithinTheTtlKeepsItsState() {
        start(TTL);
        for (long t = T0; t <= T0 + 3 * TTL.toMillis(); t += TTL.toMillis() / 2) {
            send("steady", t, 1f, 2f, 3f); // an event every half TTL
            send("other", t + 1, 3f, 2f, 1f);
        }
        assertThat(states().get("steady").events()).isEqualTo(7);
        assertThat(count(meters, "seqpredict.keys.expired")).isZero();
    }

    @Test
    void withoutATtlNoKeyExpires() {
        start(Duration.ZERO);
        send("idle", T0, 1f, 2f, 3f);
        for (long t = T0; t <= T0 + Duration.ofDays(30).toMillis(); t += Duration.ofDays(1).toMillis()) {
            send("busy", t, 1f, 1f, 1f);
        }
        assertThat(states().get("idle").events()).isEqualTo(1);
        assertThat(count(meters, "seqpredict.keys.expired")).isZero();
    }

    @Test
    void aNegativeTtlIsRefused() {
        Properties p = KStreamsFixtures.jobProperties("127.0.0.1:1", "rewarm");
        p.setProperty(PredictionApp.STATE_TTL_MS, "-1");
        assertThatThrownBy(() -> PredictionApp.start(p)).hasMessageContaining(PredictionApp.STATE_TTL_MS);
    }
}

package dev.seqpredict.kstreams;

import static dev.seqpredict.kstreams.KStreamsFixtures.DLQ;
import static dev.seqpredict.kstreams.KStreamsFixtures.EVENTS;
import static dev.seqpredict.kstreams.KStreamsFixtures.MODELS;
import static dev.seqpredict.kstreams.KStreamsFixtures.PREDICTIONS;
import static dev.seqpredict.kstreams.KStreamsFixtures.count;
import static dev.seqpredict.kstreams.KStreamsFixtures.floats;
import static dev.seqpredict.kstreams.KStreamsFixtures.json;
import static dev.seqpredict.kstreams.KStreamsFixtures.sensorJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.model.CellType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.processor.DeadLetter;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.SwapPolicy;
import dev.seqpredict.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PredictionTopologyTest {
    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private JobSettings settings;
    private StreamMetrics metrics;
    private SimpleMeterRegistry meters;
    private TestInputTopic<String, String> events;
    private TestInputTopic<String, byte[]> models;
    private TestOutputTopic<String, String> predictions;
    private TestOutputTopic<byte[], byte[]> dlq;

    private static final RecurrentModel SENSORS_V1 = TestModels.regression(1, CellType.LSTM, 3, 8, 2, "sensors", "1");
    private static final RecurrentModel SENSORS_V2 = TestModels.regression(2, CellType.LSTM, 3, 8, 2, "sensors", "2");
    private static final RecurrentModel LOGS = TestModels.classification(3, CellType.GRU, 12, 8, 1, "logs", "7");

    private void start(String swapPolicy) {
        start(swapPolicy, Map.of());
    }

    private void start(String swapPolicy, Map<String, String> more) {
        Properties job = KStreamsFixtures.jobProperties("unused:9092", swapPolicy);
        job.putAll(more);
        settings = JobSettings.fromProperties(job);
        meters = new SimpleMeterRegistry();
        metrics = new StreamMetrics(meters, PredictionApp.ENGINE);
        driver = new TopologyTestDriver(PredictionTopology.build(settings, metrics),
                KStreamsFixtures.driverConfig(job, settings, metrics, stateDir));
        events = driver.createInputTopic(EVENTS, new StringSerializer(), new StringSerializer());
        models = driver.createInputTopic(MODELS, new StringSerializer(), new ByteArraySerializer());
        predictions = driver.createOutputTopic(PREDICTIONS, new StringDeserializer(), new StringDeserializer());
        dlq = driver.createOutputTopic(DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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

    @Test
    void perKeySteppingEqualsTheCore() {
        start("rewarm");
        byte[] v1 = TestModels.bytes(SENSORS_V1);
        byte[] logs = TestModels.bytes(LOGS);
        models.pipeInput("sensors", v1);
        models.pipeInput("logs", logs);

        List<String[]> records = new ArrayList<>(KStreamsFixtures.sensorStream(11, List.of("a", "b", "c"), 15, 3));
        Random r = new Random(5);
        for (int i = 0; i < 12; i++) {
            records.add(new String[] {"log-" + (i % 2), "{\"ts\":" + (1000 + i) + ",\"event\":\"" + (1 + r.nextInt(12)) + "\",\"model\":\"logs\"}"});
        }
        records.forEach(rec -> events.pipeInput(rec[0], rec[1]));

        List<String> expected = KStreamsFixtures.coreRun(settings, Map.of("sensors", v1, "logs", logs), records);
        List<TestRecord<String, String>> out = predictions.readRecordsToList();
        assertThat(out).hasSize(records.size());
        assertThat(out).extracting(TestRecord::value).containsExactlyElementsOf(expected);
        assertThat(out).extracting(TestRecord::key).containsExactlyElementsOf(records.stream().map(x -> x[0]).toList());
        assertThat(dlq.isEmpty()).isTrue();

        // independently of KeyedPredictor: key "b" is the model stepped over b's values from a zero state
        float[] state = SENSORS_V1.newState();
        float[] y = new float[SENSORS_V1.outputSize()];
        int seen = 0;
        for (int i = 0; i < records.size(); i++) {
            if (!records.get(i)[0].equals("b")) {
                continue;
            }
            SENSORS_V1.step(state, floats(json(records.get(i)[1]).get("values")), y);
            JsonNode p = json(out.get(i).value());
            assertThat(floats(p.get("prediction"))).containsExactly(y);
            assertThat(p.get("events").asLong()).isEqualTo(++seen);
        }
        assertThat(states().get("b").recurrentState()).containsExactly(state);
        assertThat(states().get("b").events()).isEqualTo(15);
        assertThat(count(meters, "seqpredict.predictions")).isEqualTo(records.size());
        assertThat(count(meters, "seqpredict.events.in")).isEqualTo(records.size());
    }

    @Test
    void rejectedRecordsGoToTheDlqWithOriginalBytesAndReasonAndLeaveStateUntouched() {
        start("rewarm");
        models.pipeInput("sensors", TestModels.bytes(SENSORS_V1));
        models.pipeInput("logs", TestModels.bytes(LOGS));
        List<String[]> good = KStreamsFixtures.sensorStream(3, List.of("a"), 4, 3);
        for (int i = 0; i < 3; i++) {
            events.pipeInput("a", good.get(i)[1]);
        }
        KeyState before = states().get("a");
        predictions.readRecordsToList();

        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("malformed", "{\"ts\":1,\"values\":[1,2");
        bad.put("wrong_arity", "{\"ts\":2,\"values\":[1.0,2.0]}");
        bad.put("non_finite", "{\"ts\":3,\"values\":[NaN,1.0,2.0]}");
        bad.put("unknown_event", "{\"ts\":4,\"event\":\"999\",\"model\":\"logs\"}");
        bad.put("no_model", "{\"ts\":5,\"values\":[1,2,3],\"model\":\"nope\"}");
        bad.put("oversized", "{\"ts\":6,\"values\":[1,2,3],\"pad\":\"" + "x".repeat(3000) + "\"}");
        bad.put("wrong_type", "{\"ts\":7,\"values\":[\"1\",2,3]}");
        bad.put("wrong_kind", "{\"ts\":8,\"event\":\"3\"}");
        RecordHeaders traced = new RecordHeaders();
        traced.add("trace-id", "t-42".getBytes(StandardCharsets.UTF_8));
        bad.forEach((reason, value) -> events.pipeInput(new TestRecord<>("a", value, traced)));
        events.pipeInput((String) null, sensorJson(9, 1, 2, 3)); // no key

        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(bad.size() + 1);
        int i = 0;
        for (var e : bad.entrySet()) {
            TestRecord<byte[], byte[]> d = dead.get(i++);
            assertThat(header(d, DeadLetter.REASON)).isEqualTo(e.getKey());
            byte[] original = e.getValue().getBytes(StandardCharsets.UTF_8);
            if (e.getKey().equals("oversized")) { // cut to the event limit, the original size in a header
                assertThat(d.value()).isEqualTo(Arrays.copyOf(original, settings.maxEventBytes()));
                assertThat(header(d, DeadLetter.VALUE_BYTES)).isEqualTo(Integer.toString(original.length));
            } else {
                assertThat(d.value()).isEqualTo(original);
                assertThat(header(d, DeadLetter.VALUE_BYTES)).isNull();
            }
            assertThat(d.key()).isEqualTo("a".getBytes(StandardCharsets.UTF_8));
            assertThat(header(d, DeadLetter.DETAIL)).isNotBlank();
            assertThat(header(d, DeadLetter.SOURCE_TOPIC)).isEqualTo(EVENTS);
            assertThat(header(d, DeadLetter.SOURCE_OFFSET)).isEqualTo(Long.toString(2 + i)); // 3 good before
            assertThat(header(d, DeadLetter.SOURCE_PARTITION)).isEqualTo("0");
            assertThat(header(d, "trace-id")).isEqualTo("t-42");
            assertThat(count(meters, "seqpredict.dlq.records", "reason", e.getKey())).isEqualTo(1);
        }
        TestRecord<byte[], byte[]> noKey = dead.get(bad.size());
        assertThat(noKey.key()).isNull();
        assertThat(header(noKey, DeadLetter.REASON)).isEqualTo("missing_key");
        assertThat(predictions.isEmpty()).isTrue();

        KeyState after = states().get("a");
        assertThat(after.events()).isEqualTo(3);
        assertThat(after.recurrentState()).containsExactly(before.recurrentState());
        assertThat(after.lastPrediction()).containsExactly(before.lastPrediction());

        // the next good event continues as if the rejected ones never happened
        events.pipeInput("a", good.get(3)[1]);
        List<String> expected = KStreamsFixtures.coreRun(settings, Map.of("sensors", TestModels.bytes(SENSORS_V1)), good);
        assertThat(predictions.readValue()).isEqualTo(expected.get(3));
    }

    @Test
    void withUnknownEventAnomalyAnUnseenLogIdIsPredictedAndFlaggedInsteadOfDeadLettered() throws Exception {
        start("reset", Map.of(JobSettings.UNKNOWN_EVENT, "anomaly"));
        models.pipeInput("logs", TestModels.bytes(LOGS));
        events.pipeInput("s", "{\"ts\":1,\"event\":\"5\",\"model\":\"logs\"}");
        events.pipeInput("s", "{\"ts\":2,\"event\":\"never-seen\",\"model\":\"logs\"}");
        assertThat(dlq.isEmpty()).isTrue();
        List<String> out = predictions.readValuesToList();
        assertThat(out).hasSize(2);
        var unseen = KStreamsFixtures.JSON.readTree(out.get(1));
        assertThat(unseen.get("anomaly").asBoolean()).isTrue();
        assertThat(unseen.get("in_top_g").asBoolean()).isFalse();
        assertThat(unseen.get("events").asLong()).isEqualTo(1);
        assertThat(states().get("s").events()).isEqualTo(1);
    }

    @Test
    void originalHeadersBeyondTheEventLimitAreLeftOffTheDeadLetterAndCounted() {
        start("reset");
        models.pipeInput("sensors", TestModels.bytes(SENSORS_V1));
        RecordHeaders headers = new RecordHeaders();
        headers.add("small", "s".getBytes(StandardCharsets.UTF_8));
        headers.add("huge", new byte[settings.maxEventBytes()]);
        headers.add("after", "a".getBytes(StandardCharsets.UTF_8));
        events.pipeInput(new TestRecord<>("a", "not json", headers));

        TestRecord<byte[], byte[]> d = dlq.readRecord();
        assertThat(header(d, DeadLetter.REASON)).isEqualTo("malformed");
        assertThat(header(d, "small")).isEqualTo("s");
        assertThat(header(d, "after")).isEqualTo("a");
        assertThat(d.headers().lastHeader("huge")).isNull();
        assertThat(header(d, DeadLetter.HEADERS_DROPPED)).isEqualTo("1");
    }

    @ParameterizedTest
    @EnumSource(SwapPolicy.class)
    void swapPolicyAppliesOnTheKeysNextEvent(SwapPolicy policy) {
        start(policy.id());
        models.pipeInput("sensors", TestModels.bytes(SENSORS_V1));
        Random r = new Random(21);
        float[][] x = new float[8][];
        for (int i = 0; i < 7; i++) {
            x[i] = KStreamsFixtures.sensorValues(r, 3);
            events.pipeInput("k", sensorJson(i, x[i]));
        }
        assertThat(predictions.readValuesToList()).allSatisfy(v -> assertThat(json(v).get("version").asText()).isEqualTo("1"));

        models.pipeInput("sensors", TestModels.bytes(SENSORS_V2));
        x[7] = KStreamsFixtures.sensorValues(r, 3);
        events.pipeInput("k", sensorJson(7, x[7]));
        JsonNode p = json(predictions.readValue());
        assertThat(p.get("version").asText()).isEqualTo("2");
        assertThat(p.get("swapped").asBoolean()).isTrue();
        assertThat(p.get("events").asLong()).isEqualTo(8);

        // what each policy must give, computed from the models alone
        float[] out = new float[3];
        float[] h1 = SENSORS_V1.newState();
        for (int i = 0; i < 7; i++) {
            SENSORS_V1.step(h1, x[i], out);
        }
        Map<SwapPolicy, float[]> expected = new LinkedHashMap<>();
        float[] keep = h1.clone();
        SENSORS_V2.step(keep, x[7], out);
        expected.put(SwapPolicy.KEEP, out.clone());
        float[] reset = SENSORS_V2.newState();
        SENSORS_V2.step(reset, x[7], out);
        expected.put(SwapPolicy.RESET, out.clone());
        float[] rewarm = SENSORS_V2.newState();
        for (int i = 3; i < 8; i++) { // the last W = 4 inputs (x3..x6), then the new event
            SENSORS_V2.step(rewarm, x[i], out);
        }
        expected.put(SwapPolicy.REWARM, out.clone());

        float[] actual = floats(p.get("prediction"));
        assertThat(actual).containsExactly(expected.get(policy));
        expected.forEach((other, e) -> {
            if (other != policy) {
                assertThat(Arrays.equals(actual, e)).as("differs from %s", other).isFalse();
            }
        });
        float[] expectedState = policy == SwapPolicy.KEEP ? keep : policy == SwapPolicy.RESET ? reset : rewarm;
        assertThat(states().get("k").recurrentState()).containsExactly(expectedState);
        assertThat(states().get("k").modelVersion()).isEqualTo("2");
        assertThat(count(meters, "seqpredict.model.swaps", "version", "2")).isEqualTo(1);
    }

    @Test
    void aModelThatFailsValidationIsRejectedAndTheOldOneKept() {
        start("reset");
        byte[] v1 = TestModels.bytes(SENSORS_V1);
        models.pipeInput("sensors", v1);
        events.pipeInput("k", sensorJson(1, 1, 11, 21));
        assertThat(json(predictions.readValue()).get("version").asText()).isEqualTo("1");

        byte[] v2 = TestModels.bytes(SENSORS_V2);
        models.pipeInput("sensors", Arrays.copyOf(v2, v2.length / 2)); // truncated artifact
        byte[] unsupported = TestModels.bytes(RecurrentModel.create( // forecasts 2 values from 3 inputs
                ModelSpec.of(CellType.GRU, 3, 8, 1, Task.REGRESSION, 2).withName("sensors", "3"),
                TestModels.layers(new Random(4), CellType.GRU, 3, 8, 1), new float[2 * 8], new float[2], null));
        models.pipeInput("sensors", unsupported);

        assertThat(count(meters, "seqpredict.models.rejected", "model", "sensors", "reason", "invalid")).isEqualTo(1);
        assertThat(count(meters, "seqpredict.models.rejected", "model", "sensors", "reason", "unsupported")).isEqualTo(1);
        KeyValueStore<String, byte[]> modelStore = driver.getKeyValueStore(PredictionTopology.MODEL_STORE);
        assertThat(dev.seqpredict.processor.PublishedModel.decode("sensors", modelStore.get("sensors")).artifact()).isEqualTo(v1);

        events.pipeInput("k", sensorJson(2, 2, 12, 22));
        JsonNode p = json(predictions.readValue());
        assertThat(p.get("version").asText()).isEqualTo("1");
        assertThat(p.get("swapped").asBoolean()).isFalse();
        assertThat(p.get("events").asLong()).isEqualTo(2);

        // a valid one is then accepted, and an empty value withdraws it
        models.pipeInput("sensors", v2);
        events.pipeInput("k", sensorJson(3, 3, 13, 23));
        assertThat(json(predictions.readValue()).get("version").asText()).isEqualTo("2");
        models.pipeInput("sensors", new byte[0]);
        events.pipeInput("k", sensorJson(4, 4, 14, 24));
        assertThat(predictions.isEmpty()).isTrue();
        assertThat(header(dlq.readRecord(), DeadLetter.REASON)).isEqualTo("no_model");
        assertThat(modelStore.get("sensors")).isNull();
        assertThat(count(meters, "seqpredict.models.accepted", "model", "sensors")).isEqualTo(2);
        assertThat(meters.find("seqpredict.model.active").tag("model", "sensors").gauge()).isNull(); // withdrawn
    }

    private static String header(TestRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}

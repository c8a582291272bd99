package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictionJson;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.PublishedModel;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.processor.SwapPolicy;
import dev.seqpredict.testing.TestModels;
import dev.seqpredict.security.Keys;
import dev.seqpredict.security.ModelSignature;
import dev.seqpredict.security.ModelSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Properties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PredictFunction} in Flink's keyed broadcast operator, driven by the operator test harness. */
class PredictFunctionHarnessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "events";
    private static final int INPUTS = 2;

    private final RecurrentModel v1 = TestModels.regression(11, CellType.LSTM, INPUTS, 8, 1, "default", "1");
    private final RecurrentModel v2 = TestModels.regression(22, CellType.LSTM, INPUTS, 8, 1, "default", "2");
    private final List<KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord>> open = new ArrayList<>();
    private long offset;

    static final class ByKey implements KeySelector<EventRecord, String> {
        @Override
        public String getKey(EventRecord r) {
            return r.partitionKey();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (var h : open) {
            h.close();
        }
    }

    private static JobSettings settings(PredictorConfig config) {
        return JobSettings.defaults("unused:9092").withPredictor(config);
    }

    private KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> harness(
            PredictorConfig config, OperatorSubtaskState restore) throws Exception {
        return harness(config, restore, "hashmap");
    }

    private KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> harness(
            PredictorConfig config, OperatorSubtaskState restore, String backend) throws Exception {
        PredictFunction f = new PredictFunction(settings(config), 0, 0);
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(f, List.of(PredictFunction.MODELS)), new ByKey(), Types.STRING, 1, 1, 0);
        open.add(h);
        h.setStateBackend(backend.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static void publish(KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> h,
                                RecurrentModel m) throws Exception {
        h.processBroadcastElement(new ModelRecord("default", TestModels.bytes(m)), 0);
    }

    private EventRecord event(String key, long ts, float[] values) {
        String json = "{\"ts\":" + ts + ",\"values\":[" + Float.toString(values[0]) + "," + Float.toString(values[1]) + "]}";
        return EventRecord.of(key, json, TOPIC, 0, offset++);
    }

    private EventRecord raw(String key, String json) {
        return EventRecord.of(key, json, TOPIC, 0, offset++);
    }

    private static float[][] sequence(long seed, int n) {
        Random r = new Random(seed);
        float[][] xs = new float[n][INPUTS];
        for (int i = 0; i < n; i++) {
            xs[i][0] = (float) (r.nextGaussian() * 1 + 0);
            xs[i][1] = (float) (r.nextGaussian() * 2 + 10);
        }
        return xs;
    }

    /** Drains the main output. */
    private static List<PredictionRecord> drain(KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> h) {
        List<PredictionRecord> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> sr) {
                out.add((PredictionRecord) sr.getValue());
            }
        }
        h.getOutput().clear();
        return out;
    }

    private static List<DeadLetterRecord> deadLetters(KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> h) {
        var q = h.getSideOutput(PredictFunction.DEAD_LETTERS);
        List<DeadLetterRecord> out = q == null ? new ArrayList<>() : q.stream().map(StreamRecord::getValue).collect(Collectors.toList());
        if (q != null) {
            q.clear();
        }
        return out;
    }

    private static float[] values(PredictionRecord p) throws IOException {
        JsonNode arr = JSON.readTree(p.json).get("prediction");
        float[] v = new float[arr.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = arr.get(i).floatValue();
        }
        return v;
    }

    private static JsonNode json(PredictionRecord p) throws IOException {
        return JSON.readTree(p.json);
    }

    /** What the core gives for the same inputs: plain RecurrentModel stepping from {@code state}. */
    private static float[][] stepModel(RecurrentModel m, float[] state, float[][] xs) {
        float[][] outs = new float[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            outs[i] = new float[m.outputSize()];
            m.step(state, xs[i], outs[i]);
        }
        return outs;
    }

    @Test
    void predictionsEqualTheCoreSteppingTheSameSequence() throws Exception {
        var h = harness(PredictorConfig.DEFAULTS, null);
        publish(h, v1);
        float[][] xs = sequence(1, 30);
        for (int i = 0; i < xs.length; i++) {
            h.processElement(event("s1", 1000 + i, xs[i]), 0);
        }
        List<PredictionRecord> out = drain(h);
        assertThat(out).hasSize(30);
        assertThat(deadLetters(h)).isEmpty();

        // 1. the raw recurrent step
        float[][] expected = stepModel(v1, v1.newState(), xs);
        for (int i = 0; i < xs.length; i++) {
            assertThat(values(out.get(i))).as("event %d", i).containsExactly(expected[i]);
            assertThat(out.get(i).key).isEqualTo("s1");
            assertThat(out.get(i).ts).isEqualTo(1000 + i);
            assertThat(out.get(i).version).isEqualTo("1");
        }
        // 2. byte for byte what KeyedPredictor emits (error, anomaly score, event count included)
        KeyedPredictor ref = new KeyedPredictor(PredictorConfig.DEFAULTS);
        ServingModel sm = ServingModel.of("default", v1);
        KeyState s = null;
        for (int i = 0; i < xs.length; i++) {
            Outcome.Predicted p = (Outcome.Predicted) ref.process(s, Event.sensor("s1", 1000 + i, xs[i]), sm);
            s = p.state();
            assertThat(new String(out.get(i).json, StandardCharsets.UTF_8))
                    .isEqualTo(new String(PredictionJson.toBytes(p.prediction()), StandardCharsets.UTF_8));
        }
        assertThat(json(out.get(29)).get("events").asLong()).isEqualTo(30);
    }

    @Test
    void keysAreIndependent() throws Exception {
        var h = harness(PredictorConfig.DEFAULTS, null);
        publish(h, v1);
        float[][] a = sequence(2, 12);
        float[][] b = sequence(3, 12);
        for (int i = 0; i < 12; i++) { // interleaved
            h.processElement(event("a", i, a[i]), 0);
            h.processElement(event("b", i, b[i]), 0);
        }
        Map<String, List<PredictionRecord>> byKey = drain(h).stream().collect(Collectors.groupingBy(p -> p.key));
        float[][] ea = stepModel(v1, v1.newState(), a);
        float[][] eb = stepModel(v1, v1.newState(), b);
        for (int i = 0; i < 12; i++) {
            assertThat(values(byKey.get("a").get(i))).containsExactly(ea[i]);
            assertThat(values(byKey.get("b").get(i))).containsExactly(eb[i]);
        }
        assertThat(json(byKey.get("a").get(11)).get("events").asLong()).isEqualTo(12);
    }

    /** Runs 6 events under v1, publishes v2, runs 4 more; returns the 4 predictions after the swap. */
    private List<PredictionRecord> swapRun(SwapPolicy policy, float[][] xs) throws Exception {
        var h = harness(PredictorConfig.DEFAULTS.withRewarmWindow(3).withSwapPolicy(policy), null);
        publish(h, v1);
        for (int i = 0; i < 6; i++) {
            h.processElement(event("k", i, xs[i]), 0);
        }
        assertThat(drain(h)).allSatisfy(p -> assertThat(p.version).isEqualTo("1")).hasSize(6);
        publish(h, v2);
        for (int i = 6; i < 10; i++) {
            h.processElement(event("k", i, xs[i]), 0);
        }
        List<PredictionRecord> after = drain(h);
        assertThat(after).hasSize(4).allSatisfy(p -> assertThat(p.version).isEqualTo("2"));
        assertThat(json(after.get(0)).get("swapped").asBoolean()).isTrue();
        assertThat(json(after.get(1)).get("swapped").asBoolean()).isFalse();
        return after;
    }

    private static float[][] slice(float[][] xs, int from, int to) {
        return java.util.Arrays.copyOfRange(xs, from, to);
    }

    @Test
    void swapWithResetEqualsAFreshKeyUnderTheNewModel() throws Exception {
        float[][] xs = sequence(4, 10);
        List<PredictionRecord> after = swapRun(SwapPolicy.RESET, xs);
        float[][] fresh = stepModel(v2, v2.newState(), slice(xs, 6, 10));
        for (int i = 0; i < 4; i++) {
            assertThat(values(after.get(i))).containsExactly(fresh[i]);
        }
    }

    @Test
    void swapWithRewarmEqualsReplayingTheLastWInputs() throws Exception {
        float[][] xs = sequence(5, 10);
        List<PredictionRecord> after = swapRun(SwapPolicy.REWARM, xs);
        float[] state = v2.newState();
        stepModel(v2, state, slice(xs, 3, 6)); // W = 3: inputs 3, 4, 5
        float[][] expected = stepModel(v2, state, slice(xs, 6, 10));
        for (int i = 0; i < 4; i++) {
            assertThat(values(after.get(i))).containsExactly(expected[i]);
        }
        // and it differs from a reset (the test could fail)
        float[][] fresh = stepModel(v2, v2.newState(), slice(xs, 6, 10));
        assertThat(values(after.get(0))).isNotEqualTo(fresh[0]);
    }

    @Test
    void swapWithKeepContinuesFromTheOldHiddenState() throws Exception {
        float[][] xs = sequence(6, 10);
        List<PredictionRecord> after = swapRun(SwapPolicy.KEEP, xs);
        float[] state = v1.newState();
        stepModel(v1, state, slice(xs, 0, 6)); // h, c after 6 events under v1
        float[][] expected = stepModel(v2, state, slice(xs, 6, 10));
        for (int i = 0; i < 4; i++) {
            assertThat(values(after.get(i))).containsExactly(expected[i]);
        }
        float[][] fresh = stepModel(v2, v2.newState(), slice(xs, 6, 10));
        assertThat(values(after.get(0))).isNotEqualTo(fresh[0]);
    }

    @Test
    void badRecordsGoToTheDeadLetterOutputAndLeaveTheStateUntouched() throws Exception {
        var h = harness(PredictorConfig.DEFAULTS, null);
        // before any model: no_model
        h.processElement(event("k", 0, new float[] {1, 2}), 0);
        List<DeadLetterRecord> early = deadLetters(h);
        assertThat(early).singleElement().satisfies(d -> assertThat(d.reason).isEqualTo("no_model"));
        publish(h, v1);
        float[][] xs = sequence(7, 8);
        for (int i = 0; i < 4; i++) {
            h.processElement(event("k", i, xs[i]), 0);
        }
        EventRecord notJson = raw("k", "{not json");
        h.processElement(notJson, 0);
        h.processElement(raw("k", "{\"ts\":5,\"values\":[1.0,2.0,3.0]}"), 0);   // wrong arity
        h.processElement(raw("k", "{\"ts\":5,\"values\":[1.0,\"x\"]}"), 0);     // wrong type
        h.processElement(raw(null, "{\"ts\":5,\"values\":[1.0,2.0]}"), 0);      // no key
        for (int i = 4; i < 8; i++) {
            h.processElement(event("k", i, xs[i]), 0);
        }
        List<DeadLetterRecord> dlq = deadLetters(h);
        assertThat(dlq).extracting(d -> d.reason).containsExactly("malformed", "wrong_arity", "wrong_type", "missing_key");
        DeadLetterRecord first = dlq.get(0);
        assertThat(first.value).isEqualTo(notJson.value);
        assertThat(first.keyBytes).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(first.topic).isEqualTo(TOPIC);
        assertThat(first.offset).isEqualTo(notJson.offset);
        assertThat(first.detail).contains("not valid JSON");
        assertThat(dlq.get(1).detail).contains("takes 2 values, got 3");
        assertThat(dlq.get(3).keyBytes).isNull();

        // the good records are predicted exactly as if the bad ones had never been there
        List<PredictionRecord> out = drain(h);
        float[][] expected = stepModel(v1, v1.newState(), xs);
        assertThat(out).hasSize(8);
        for (int i = 0; i < 8; i++) {
            assertThat(values(out.get(i))).containsExactly(expected[i]);
        }
        assertThat(json(out.get(7)).get("events").asLong()).isEqualTo(8);
    }

    @Test
    void anUnseenLogIdIsDeadLetteredByDefaultAndPredictedAsAnAnomalyWhenConfigured() throws Exception {
        RecurrentModel logs = TestModels.classification(9, CellType.GRU, 12, 8, 1, "default", "1");
        List<String> in = List.of("{\"ts\":1,\"event\":\"5\"}", "{\"ts\":2,\"event\":\"never-seen\"}", "{\"ts\":3,\"event\":\"2\"}");
        var flagging = harness(PredictorConfig.DEFAULTS.withUnknownEventAnomaly(true), null);
        var plain = harness(PredictorConfig.DEFAULTS, null);
        for (var h : List.of(flagging, plain)) {
            publish(h, logs);
            for (String json : in) {
                h.processElement(raw("k", json), 0);
            }
        }
        List<PredictionRecord> flagged = drain(flagging);
        List<PredictionRecord> predicted = drain(plain);
        assertThat(deadLetters(flagging)).isEmpty();
        assertThat(deadLetters(plain)).extracting(d -> d.reason).containsExactly("unknown_event");
        assertThat(flagged).hasSize(3);
        assertThat(predicted).hasSize(2);
        JsonNode unseen = json(flagged.get(1));
        assertThat(unseen.get("anomaly").asBoolean()).isTrue();
        assertThat(unseen.get("in_top_g").asBoolean()).isFalse();
        assertThat(unseen.get("anomaly_score").asDouble()).isEqualTo(1.0);
        assertThat(unseen.get("events").asLong()).isEqualTo(1);
        // the key's state went on as if the unseen id had not been there
        assertThat(flagged.get(0).json).isEqualTo(predicted.get(0).json);
        assertThat(flagged.get(2).json).isEqualTo(predicted.get(1).json);
    }

    @Test
    void aRejectedModelLeavesThePreviousOneServing() throws Exception {
        var h = harness(PredictorConfig.DEFAULTS, null);
        publish(h, v1);
        h.processBroadcastElement(new ModelRecord("default", "garbage".getBytes(StandardCharsets.UTF_8)), 0);
        byte[] v2bytes = TestModels.bytes(v2);
        h.processBroadcastElement(new ModelRecord("default", java.util.Arrays.copyOf(v2bytes, v2bytes.length / 2)), 0);
        assertThat(java.util.Arrays.equals(PublishedModel.decode("default",
                h.getBroadcastState(PredictFunction.MODELS).get("default")).artifact(), TestModels.bytes(v1)))
                .as("broadcast state still holds v1's bytes").isTrue();
        List<String> names = new ArrayList<>();
        h.getBroadcastState(PredictFunction.MODELS).immutableEntries().forEach(e -> names.add(e.getKey()));
        assertThat(names).containsExactly("default");
        h.processElement(event("k", 1, new float[] {1, 2}), 0);
        assertThat(drain(h)).singleElement().satisfies(p -> assertThat(p.version).isEqualTo("1"));

        // withdrawing removes it from the broadcast state and later events have no model
        h.processBroadcastElement(new ModelRecord("default", new byte[0]), 0);
        assertThat(h.getBroadcastState(PredictFunction.MODELS).contains("default")).isFalse();
        h.processElement(event("k", 2, new float[] {1, 2}), 0);
        assertThat(deadLetters(h)).singleElement().satisfies(d -> assertThat(d.reason).isEqualTo("no_model"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void stateAndModelsSurviveSnapshotAndRestore(String backend) throws Exception {
        PredictorConfig config = PredictorConfig.DEFAULTS.withSwapPolicy(SwapPolicy.REWARM).withRewarmWindow(4);
        float[][] a = sequence(8, 20);
        float[][] b = sequence(9, 20);

        // uninterrupted
        var straight = harness(config, null, backend);
        publish(straight, v1);
        for (int i = 0; i < 20; i++) {
            if (i == 12) {
                publish(straight, v2);
            }
            straight.processElement(event("a", i, a[i]), 0);
            straight.processElement(event("b", i, b[i]), 0);
        }
        List<String> expected = drain(straight).stream().map(PredictionRecord::toString).toList();

        // interrupted after 10 events per key: snapshot, throw the operator away, restore into a new one
        var first = harness(config, null, backend);
        publish(first, v1);
        for (int i = 0; i < 10; i++) {
            first.processElement(event("a", i, a[i]), 0);
            first.processElement(event("b", i, b[i]), 0);
        }
        List<String> got = new ArrayList<>(drain(first).stream().map(PredictionRecord::toString).toList());
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();
        open.remove(first);

        var second = harness(config, snapshot, backend);
        // no model is re-published: it must come back from the broadcast state
        for (int i = 10; i < 20; i++) {
            if (i == 12) {
                publish(second, v2);
            }
            second.processElement(event("a", i, a[i]), 0);
            second.processElement(event("b", i, b[i]), 0);
        }
        got.addAll(drain(second).stream().map(PredictionRecord::toString).toList());
        assertThat(deadLetters(second)).isEmpty();
        assertThat(got).hasSize(40).isEqualTo(expected);
        assertThat(got.get(39)).contains("\"events\":20").contains("\"version\":\"2\"");
    }

    @Test
    void idleKeysExpireAfterTheStateTtl() throws Exception {
        PredictFunction f = new PredictFunction(settings(PredictorConfig.DEFAULTS), 1000, 0);
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(f, List.of(PredictFunction.MODELS)), new ByKey(), Types.STRING, 1, 1, 0);
        open.add(h);
        h.setup();
        h.open();
        publish(h, v1);
        h.setStateTtlProcessingTime(0);
        h.processElement(event("k", 1, new float[] {1, 2}), 0);
        h.setStateTtlProcessingTime(500);
        h.processElement(event("k", 2, new float[] {1, 2}), 0);
        h.setStateTtlProcessingTime(1400); // 900 ms after the last write: still there
        h.processElement(event("k", 3, new float[] {1, 2}), 0);
        h.setStateTtlProcessingTime(2500); // 1100 ms idle: expired, starts over
        h.processElement(event("k", 4, new float[] {1, 2}), 0);
        assertThat(drain(h)).extracting(p -> {
            try {
                return json(p).get("events").asLong();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }).containsExactly(1L, 2L, 3L, 1L);
    }



    private KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> holdingHarness(long holdMs)
            throws Exception {
        return holdingHarness(holdMs, FlinkSettings.DEFAULT_HOLD_MAX_EVENTS);
    }

    private KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> holdingHarness(
            long holdMs, int maxHeldPerKey) throws Exception {
        PredictFunction f = new PredictFunction(settings(PredictorConfig.DEFAULTS), 0, holdMs, maxHeldPerKey);
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(f, List.of(PredictFunction.MODELS)), new ByKey(), Types.STRING, 1, 1, 0);
        open.add(h);
        h.setup();
        h.open();
        h.setProcessingTime(0);
        return h;
    }

    @Test
    void eventsBeforeTheFirstModelAreHeldAndReleasedInOrder() throws Exception {
        var h = holdingHarness(5_000);
        float[][] a = sequence(10, 5);
        float[][] c = sequence(11, 3);
        for (int i = 0; i < 3; i++) {
            h.processElement(event("a", i, a[i]), 0);
        }
        h.processElement(event("c", 0, c[0]), 0);
        h.processElement(raw("c", "[1,2]"), 0); // not an event: dead-lettered at once, never held
        assertThat(deadLetters(h)).singleElement().satisfies(d -> assertThat(d.reason).isEqualTo("malformed"));
        h.processElement(event("c", 1, c[1]), 0);
        h.setProcessingTime(1_000); // timers fire, but there is no model yet: still held
        assertThat(drain(h)).isEmpty();
        assertThat(deadLetters(h)).isEmpty();

        publish(h, v1);
        h.processElement(event("c", 2, c[2]), 0); // c's next event releases c's held ones first
        List<PredictionRecord> cOut = drain(h);
        float[][] ec = stepModel(v1, v1.newState(), c);
        assertThat(cOut).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(values(cOut.get(i))).containsExactly(ec[i]);
            assertThat(cOut.get(i).ts).isEqualTo(i);
        }
        h.setProcessingTime(1_200); // a has no new event: its timer releases it
        for (int i = 3; i < 5; i++) {
            h.processElement(event("a", i, a[i]), 0);
        }
        List<PredictionRecord> aOut = drain(h);
        float[][] ea = stepModel(v1, v1.newState(), a);
        assertThat(aOut).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(values(aOut.get(i))).containsExactly(ea[i]);
        }
        assertThat(deadLetters(h)).isEmpty();
    }

    @Test
    void heldEventsAreDeadLetteredWhenNoModelArrivesInTime() throws Exception {
        var h = holdingHarness(1_000);
        h.processElement(event("a", 1, new float[] {1, 2}), 0);
        h.processElement(event("a", 2, new float[] {1, 2}), 0);
        h.setProcessingTime(600);
        assertThat(deadLetters(h)).isEmpty();
        h.setProcessingTime(1_200);
        assertThat(deadLetters(h)).extracting(d -> d.reason).containsExactly("no_model", "no_model");
        // with a model, the key's next event is predicted straight away
        publish(h, v1);
        h.processElement(event("a", 3, new float[] {1, 2}), 0);
        assertThat(drain(h)).singleElement().satisfies(p -> assertThat(p.ts).isEqualTo(3));
    }

    @Test
    void aKeyHoldsAtMostTheConfiguredNumberOfEventsAndDeadLettersTheRestWithAReason() throws Exception {
        var h = holdingHarness(5_000, 3);
        float[][] a = sequence(12, 6);
        for (int i = 0; i < 5; i++) {
            h.processElement(event("a", i, a[i]), 0);
        }
        h.processElement(event("b", 0, a[0]), 0); // the cap is per key: another key still holds
        assertThat(deadLetters(h)).extracting(d -> d.reason).containsExactly("no_model", "no_model");
        publish(h, v1);
        h.processElement(event("a", 5, a[5]), 0);
        List<PredictionRecord> out = drain(h);
        // a's three held events (ts 0, 1, 2) and then ts 5, stepped in that order from a fresh state
        assertThat(out).extracting(p -> p.ts).containsExactly(0L, 1L, 2L, 5L);
        float[][] want = stepModel(v1, v1.newState(), new float[][] {a[0], a[1], a[2], a[5]});
        for (int i = 0; i < 4; i++) {
            assertThat(values(out.get(i))).containsExactly(want[i]);
        }
        h.setProcessingTime(400); // b's timer releases b's held event
        assertThat(drain(h)).extracting(p -> p.key).containsExactly("b");
    }

    @Test
    void onAFreshStartAnEventWaitsForItsOwnModelNotJustForTheFirstOne() throws Exception {
        Properties p = settings(PredictorConfig.DEFAULTS).toProperties();
        p.setProperty(JobSettings.MODEL_SELECTION, "field");
        var h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                new PredictFunction(JobSettings.fromProperties(p), 0, 1_000, 100), List.of(PredictFunction.MODELS)),
                new ByKey(), Types.STRING, 1, 1, 0);
        open.add(h);
        h.setup();
        h.open();
        h.setProcessingTime(0);
        // two models published together are read one by one, with events in between
        h.processBroadcastElement(new ModelRecord("m1", TestModels.bytes(v1)), 0);
        h.processElement(raw("b", "{\"ts\":0,\"values\":[1,2],\"model\":\"m2\"}"), 0); // m2 not read yet: held
        h.processElement(raw("a", "{\"ts\":0,\"values\":[1,2],\"model\":\"m1\"}"), 0); // predicted at once
        assertThat(drain(h)).extracting(r -> r.key).containsExactly("a");
        assertThat(deadLetters(h)).isEmpty();
        h.processBroadcastElement(new ModelRecord("m2", TestModels.bytes(v2)), 0);
        h.setProcessingTime(200); // b's timer: its model is there now
        assertThat(drain(h)).singleElement().satisfies(r -> {
            assertThat(r.key).isEqualTo("b");
            assertThat(r.model).isEqualTo("m2");
        });
        assertThat(deadLetters(h)).isEmpty();
        h.setProcessingTime(1_000); // the hold time after the first model is over: nothing is held any more
        h.processElement(raw("c", "{\"ts\":1,\"values\":[1,2],\"model\":\"m3\"}"), 0);
        assertThat(deadLetters(h)).singleElement().satisfies(d -> assertThat(d.reason).isEqualTo("no_model"));
        assertThat(drain(h)).isEmpty();
    }

    @Test
    void theHoldCapIsASettingAndMustBePositive() {
        Properties p = new Properties();
        assertThat(FlinkSettings.fromProperties(p).holdMaxEventsPerKey()).isEqualTo(1000);
        p.setProperty(FlinkSettings.HOLD_MAX_EVENTS, "50000");
        assertThat(FlinkSettings.fromProperties(p).holdMaxEventsPerKey()).isEqualTo(50_000);
        p.setProperty(FlinkSettings.HOLD_MAX_EVENTS, "0");
        assertThatThrownBy(() -> FlinkSettings.fromProperties(p)).hasMessageContaining(FlinkSettings.HOLD_MAX_EVENTS);
    }

    private KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> harness(
            JobSettings s, OperatorSubtaskState restore) throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                new PredictFunction(s, 0, 0), List.of(PredictFunction.MODELS)), new ByKey(), Types.STRING, 1, 1, 0);
        open.add(h);
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static ModelRecord signed(byte[] artifact, KeyPair key) {
        ModelSignature sig = new ModelSigner(key).sign(artifact);
        return new ModelRecord("default", artifact, sig.keyId().getBytes(StandardCharsets.UTF_8),
                sig.signatureBase64().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withTrustedKeysOnlySignedModelsAreServedAlsoAfterARestore(@TempDir Path keys) throws Exception {
        KeyPair release = ModelSigner.generateKeyPair();
        Files.writeString(keys.resolve("release.pem"), Keys.publicPem(release.getPublic()));
        Properties p = settings(PredictorConfig.DEFAULTS).toProperties();
        p.setProperty(JobSettings.TRUSTED_KEYS, keys.toString());
        JobSettings s = JobSettings.fromProperties(p);
        assertThat(s.modelVerification()).isTrue();

        var h = harness(s, null);
        byte[] a1 = TestModels.bytes(v1);
        h.processBroadcastElement(new ModelRecord("default", a1), 0); // unsigned
        h.processElement(event("k", 1, new float[] {1, 2}), 0);
        assertThat(deadLetters(h)).singleElement().satisfies(d -> assertThat(d.reason).isEqualTo("no_model"));
        assertThat(h.getBroadcastState(PredictFunction.MODELS).contains("default")).isFalse();

        h.processBroadcastElement(signed(a1, release), 0);
        h.processBroadcastElement(signed(TestModels.bytes(v2), ModelSigner.generateKeyPair()), 0); // untrusted key
        h.processElement(event("k", 2, new float[] {1, 2}), 0);
        assertThat(drain(h)).singleElement().satisfies(r -> assertThat(r.version).isEqualTo("1"));
        PublishedModel stored = PublishedModel.decode("default", h.getBroadcastState(PredictFunction.MODELS).get("default"));
        assertThat(stored.hasSignatureHeaders()).isTrue();

        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
        var restored = harness(s, snapshot); // the stored record is verified again
        restored.processElement(event("k", 3, new float[] {1, 2}), 0);
        assertThat(drain(restored)).singleElement().satisfies(r -> {
            assertThat(r.version).isEqualTo("1");
            assertThat(r.toString()).contains("\"events\":2");
        });
    }
}

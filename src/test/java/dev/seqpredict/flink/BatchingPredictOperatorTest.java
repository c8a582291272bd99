package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.metrics.MetricsEndpoint;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.testing.TestModels;
import io.micrometer.core.instrument.DistributionSummary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchingPredictOperator} against the unbatched keyed broadcast operator on the same input, in the operator
 * test harness: the same predictions and dead letters in the same order with the same timestamps, and the buffer
 * finished by a full batch, the deadline, a model record, a checkpoint barrier and the end of input.
 */
class BatchingPredictOperatorTest {
    private static final String TOPIC = "events";
    private static final int BATCH = 5;
    private static final long DELAY = 50;

    private final RecurrentModel v1 = TestModels.regression(11, CellType.LSTM, 2, 8, 1, "default", "1");
    private final RecurrentModel v2 = TestModels.regression(22, CellType.GRU, 2, 8, 2, "default", "2");
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

    private KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> harness(
            boolean batched, long holdMs, OperatorSubtaskState restore) throws Exception {
        PredictFunction f = new PredictFunction(JobSettings.defaults("unused:9092").withPredictor(PredictorConfig.DEFAULTS), 0, holdMs);
        CoBroadcastWithKeyedOperator<String, EventRecord, ModelRecord, PredictionRecord> op = batched
                ? new BatchingPredictOperator(f, BATCH, DELAY)
                : new CoBroadcastWithKeyedOperator<>(f, List.of(PredictFunction.MODELS));
        var h = new KeyedBroadcastOperatorTestHarness<>(op, new ByKey(), Types.STRING, 1, 1, 0);
        open.add(h);
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        h.setProcessingTime(0);
        return h;
    }

    /** Random events of six keys, a few not events or not for the model. */
    private List<EventRecord> events(int n, long seed) {
        Random r = new Random(seed);
        List<EventRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "k" + r.nextInt(6);
            String json = switch (r.nextInt(25)) {
                case 0 -> "not json";
                case 1 -> "{\"ts\":" + i + ",\"values\":[1]}";
                case 2 -> "{\"ts\":" + i + ",\"values\":[NaN,1]}";
                default -> "{\"ts\":" + i + ",\"values\":[" + (float) r.nextGaussian() + "," + (10 + (float) r.nextGaussian()) + "]}";
            };
            out.add(EventRecord.of(key, json, TOPIC, 0, offset++));
        }
        return out;
    }

    /** Everything emitted so far, in order: "P ts json" / "D ts reason value", and forgets it. */
    private static List<String> drain(KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add("P " + r.getTimestamp() + " " + r.getValue());
            }
        }
        h.getOutput().clear();
        var dlq = h.getSideOutput(PredictFunction.DEAD_LETTERS);
        if (dlq != null) {
            for (StreamRecord<DeadLetterRecord> r : dlq) {
                out.add("D " + r.getTimestamp() + " " + r.getValue().reason + " " + new String(r.getValue().value, StandardCharsets.UTF_8));
            }
            dlq.clear();
        }
        return out;
    }

    private static void feed(KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> h,
                             List<EventRecord> events) throws Exception {
        for (EventRecord e : events) {
            h.processElement(e, 1000 + e.offset);
        }
    }

    /** The end of the events input (what the task calls; the unbatched operator has nothing to finish). */
    private static void endInput(KeyedBroadcastOperatorTestHarness<String, EventRecord, ModelRecord, PredictionRecord> h)
            throws Exception {
        if (h.getOperator() instanceof BatchingPredictOperator op) {
            op.endInput(1);
        }
    }

    private static String predictions(List<String> out) {
        return String.join("\n", out.stream().filter(s -> s.startsWith("P")).toList());
    }

    private static String deadLetters(List<String> out) {
        return String.join("\n", out.stream().filter(s -> s.startsWith("D")).toList());
    }

    @Test
    void aBatchedRunEmitsWhatAnUnbatchedOneDoesInTheSameOrder() throws Exception {
        var plain = harness(false, 0, null);
        var batched = harness(true, 0, null);
        List<EventRecord> first = events(203, 1);
        List<EventRecord> second = events(150, 2);
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (var h : List.of(plain, batched)) {
            List<String> out = h == plain ? expected : actual;
            h.processBroadcastElement(new ModelRecord("default", TestModels.bytes(v1)), 0);
            feed(h, first);
            h.processBroadcastElement(new ModelRecord("default", TestModels.bytes(v2)), 0); // a swap: the buffer goes first
            feed(h, second);
            endInput(h);
            out.addAll(drain(h));
        }
        assertThat(predictions(actual)).contains("\"version\":\"1\"", "\"version\":\"2\"", "\"swapped\":true");
        assertThat(deadLetters(actual)).contains("malformed", "wrong_arity", "non_finite");
        assertThat(predictions(actual)).isEqualTo(predictions(expected));
        assertThat(deadLetters(actual)).isEqualTo(deadLetters(expected));
    }

    @Test
    void theBufferIsFinishedWhenFullAtTheDeadlineAndBeforeACheckpointBarrier() throws Exception {
        DistributionSummary batches = MetricsEndpoint.registry().find("seqpredict.batch.events").tag("engine", "flink").summary();
        long countBefore = batches == null ? 0 : batches.count();
        double sumBefore = batches == null ? 0 : batches.totalAmount();
        var h = harness(true, 0, null);
        BatchingPredictOperator op = (BatchingPredictOperator) h.getOperator();
        h.processBroadcastElement(new ModelRecord("default", TestModels.bytes(v1)), 0);
        List<EventRecord> in = events(2 * BATCH + 2, 3).stream()
                .map(e -> EventRecord.of(e.key, "{\"ts\":" + e.offset + ",\"values\":[1,2]}", TOPIC, 0, e.offset)).toList();
        feed(h, in.subList(0, BATCH - 1));
        assertThat(op.buffered()).isEqualTo(BATCH - 1);
        assertThat(drain(h)).isEmpty();
        feed(h, in.subList(BATCH - 1, BATCH)); // full
        assertThat(op.buffered()).isZero();
        assertThat(drain(h)).hasSize(BATCH);

        feed(h, in.subList(BATCH, BATCH + 2));
        h.setProcessingTime(DELAY - 1);
        assertThat(drain(h)).isEmpty();
        h.setProcessingTime(DELAY); // the deadline
        assertThat(drain(h)).hasSize(2);

        feed(h, in.subList(BATCH + 2, BATCH + 5));
        h.prepareSnapshotPreBarrier(1); // before the barrier goes downstream
        assertThat(op.buffered()).isZero();
        assertThat(drain(h)).hasSize(3);

        // seqpredict_batch_events: three passes of 5, 2 and 3 events
        batches = MetricsEndpoint.registry().find("seqpredict.batch.events").tag("engine", "flink").summary();
        assertThat(batches).isNotNull();
        assertThat(batches.count() - countBefore).isEqualTo(3);
        assertThat(batches.totalAmount() - sumBefore).isEqualTo(BATCH + 2 + 3);
    }

    @Test
    void aSnapshotTakenWithBatchingRestoresIntoTheUnbatchedOperatorAndBack() throws Exception {
        List<EventRecord> first = events(120, 4);
        List<EventRecord> second = events(120, 5);
        var plain = harness(false, 0, null);
        plain.processBroadcastElement(new ModelRecord("default", TestModels.bytes(v1)), 0);
        feed(plain, first);
        feed(plain, second);
        List<String> expected = drain(plain);

        var batched = harness(true, 0, null);
        batched.processBroadcastElement(new ModelRecord("default", TestModels.bytes(v1)), 0);
        feed(batched, first);
        batched.prepareSnapshotPreBarrier(7);
        OperatorSubtaskState snapshot = batched.snapshot(7, 0);
        List<String> actual = new ArrayList<>(drain(batched));
        var restoredPlain = harness(false, 0, snapshot);
        feed(restoredPlain, second);
        actual.addAll(drain(restoredPlain));
        assertThat(predictions(actual)).isEqualTo(predictions(expected));
        assertThat(deadLetters(actual)).isEqualTo(deadLetters(expected));

        var restoredBatched = harness(true, 0, snapshot);
        feed(restoredBatched, second);
        endInput(restoredBatched);
        List<String> again = drain(restoredBatched);
        assertThat(predictions(again)).isNotEmpty().isEqualTo(predictions(drainSecond(expected, first.size())));
        assertThat(deadLetters(again)).isEqualTo(deadLetters(drainSecond(expected, first.size())));
    }

    /** The outputs of the events after the first {@code n}: those whose ts (the offset) is ≥ n. */
    private static List<String> drainSecond(List<String> all, int n) {
        return all.stream().filter(s -> Long.parseLong(s.split(" ")[1]) - 1000 >= n).toList();
    }

    @Test
    void eventsHeldForTheFirstModelTakeThePerEventPathAndKeepTheirOrder() throws Exception {
        List<String> expected = null;
        for (boolean batching : new boolean[] {false, true}) {
            offset = 0;
            var h = harness(batching, 5_000, null);
            List<EventRecord> early = events(23, 6);
            feed(h, early); // no model yet: held per key
            h.setProcessingTime(1_000);
            h.processBroadcastElement(new ModelRecord("default", TestModels.bytes(v1)), 0);
            feed(h, events(60, 7)); // each key's next event releases its held ones first
            endInput(h);
            h.setProcessingTime(10_000); // the rest are released by their timers
            List<String> out = drain(h);
            assertThat(predictions(out)).isNotEmpty();
            if (expected == null) {
                expected = out;
            } else {
                assertThat(predictions(out)).isEqualTo(predictions(expected));
                assertThat(deadLetters(out)).isEqualTo(deadLetters(expected));
            }
        }
    }
}

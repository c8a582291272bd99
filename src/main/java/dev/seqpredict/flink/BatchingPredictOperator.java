package dev.seqpredict.flink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Flink's keyed broadcast operator around {@link PredictFunction}, with operator batching
 * ({@link FlinkSettings#BATCH_SIZE} &gt; 1): the events that arrive together are buffered and predicted in one
 * {@link PredictFunction#predictBatch} (one {@code KeyedPredictor.processBatch}: the model steps of many keys in
 * one pass over the weights), each key's {@code ValueState} read and written with {@link #setCurrentKey}.
 *
 * <p>The buffer is flushed when it holds {@code batchSize} events, {@code maxDelayMs} after its first event
 * (a processing-time timer), before a models-topic record (so every buffered event sees the models it arrived
 * under), before a timer of the function, before a watermark, in {@link #prepareSnapshotPreBarrier} (so every
 * buffered event's output and state are in the checkpoint its input offsets are in: exactly-once holds), and at
 * the end of input. Outputs go out in arrival order with each input's timestamp, as without batching.
 *
 * <p>An event the per-event path must handle (before the models' broadcast state is loaded, or for a key that
 * holds events waiting for their model) ends the batch so far and takes {@link PredictFunction#processElement};
 * with sessions on nothing is buffered. The state names, the broadcast state and the uid are those of the
 * unbatched operator, so savepoints move between the two.
 */
public final class BatchingPredictOperator
        extends CoBroadcastWithKeyedOperator<String, EventRecord, ModelRecord, PredictionRecord>
        implements BoundedMultiInput {
    private static final long serialVersionUID = 1L;
    private static final long NO_TIMESTAMP = Long.MIN_VALUE;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BatchingPredictOperator.class);

    private final PredictFunction function;
    private final int batchSize;
    private final long maxDelayMs;
    private transient boolean batching;
    private transient List<StreamRecord<EventRecord>> buffer;
    private transient ScheduledFuture<?> deadline;

    public BatchingPredictOperator(PredictFunction function, int batchSize, long maxDelayMs) {
        super(function, List.of(PredictFunction.MODELS));
        if (batchSize < 1 || maxDelayMs < 0) {
            throw new IllegalArgumentException("batch size must be ≥ 1 and the delay ≥ 0, got " + batchSize + ", " + maxDelayMs);
        }
        this.function = function;
        this.batchSize = batchSize;
        this.maxDelayMs = maxDelayMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        batching = batchSize > 1 && function.batchable();
        buffer = new ArrayList<>(batchSize);
        LOG.info("operator batching {}: up to {} events, at most {} ms", batching ? "on" : "off (sessions on)", batchSize, maxDelayMs);
    }

    @Override
    public void processElement1(StreamRecord<EventRecord> element) throws Exception {
        if (!batching) {
            super.processElement1(element);
            return;
        }
        // the input's StreamRecord is reused by the runtime: keep the value and the timestamp
        buffer.add(element.hasTimestamp() ? new StreamRecord<>(element.getValue(), element.getTimestamp())
                : new StreamRecord<>(element.getValue()));
        if (buffer.size() >= batchSize) {
            flush();
        } else if (deadline == null) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            deadline = getProcessingTimeService().registerTimer(now + maxDelayMs, t -> {
                deadline = null;
                flush();
            });
        }
    }

    @Override
    public void processElement2(StreamRecord<ModelRecord> element) throws Exception {
        flush();
        super.processElement2(element);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flush();
        super.onEventTime(timer);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flush();
        super.onProcessingTime(timer);
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        flush();
        super.processWatermark1(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        flush();
        super.processWatermark2(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput(int inputId) throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        super.close();
    }

    /** Events buffered now (tests). */
    int buffered() {
        return buffer == null ? 0 : buffer.size();
    }

    /** Predicts the buffered events, in arrival order; the current key is what it was before. */
    void flush() throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        if (buffer == null || buffer.isEmpty()) {
            return;
        }
        Object previousKey = getCurrentKey();
        List<StreamRecord<EventRecord>> records = buffer;
        buffer = new ArrayList<>(batchSize);
        List<PredictFunction.Pending> batch = new ArrayList<>(records.size());
        long now = getProcessingTimeService().getCurrentProcessingTime();
        PredictFunction.BatchOutput out = new PredictFunction.BatchOutput() {
            @Override
            public void setCurrentKey(String key) {
                BatchingPredictOperator.this.setCurrentKey(key);
            }

            @Override
            public void prediction(PredictionRecord record, long timestamp) {
                output.collect(timestamp == NO_TIMESTAMP ? new StreamRecord<>(record) : new StreamRecord<>(record, timestamp));
            }

            @Override
            public void deadLetter(DeadLetterRecord record, long timestamp) {
                output.collect(PredictFunction.DEAD_LETTERS,
                        timestamp == NO_TIMESTAMP ? new StreamRecord<>(record) : new StreamRecord<>(record, timestamp));
            }
        };
        for (StreamRecord<EventRecord> r : records) {
            setKeyContextElement1(r);
            PredictFunction.Pending p = function.prepare(r.getValue(), now, r.hasTimestamp() ? r.getTimestamp() : NO_TIMESTAMP);
            if (p != null) {
                batch.add(p);
                continue;
            }
            function.predictBatch(batch, out); // what came before, then this one on its own
            batch.clear();
            setKeyContextElement1(r);
            super.processElement1(r);
        }
        function.predictBatch(batch, out);
        if (previousKey != null) {
            setCurrentKey(previousKey);
        }
    }
}

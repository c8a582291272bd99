package dev.seqpredict.flink;

import dev.seqpredict.processor.ClosedSession;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeySession;
import dev.seqpredict.processor.KeySessionCodec;
import dev.seqpredict.processor.KeySessions;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.processor.SessionJson;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.Prediction;
import dev.seqpredict.processor.PredictionJson;
import dev.seqpredict.processor.PublishedModel;
import dev.seqpredict.processor.RejectReason;
import dev.seqpredict.processor.Rejection;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import dev.seqpredict.metrics.MetricsEndpoint;
import dev.seqpredict.metrics.StreamMetrics;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole per-key step of the Flink job. Keyed by entity id; the second, broadcast input carries the
 * models topic.
 *
 * <ul>
 *   <li>{@link #processElement}: parse the record, select the model, {@link KeyedPredictor#process};
 *       a prediction updates the key's {@link KeyState} (a {@link ValueState} with
 *       {@link KeyStateSerializer}) and is emitted; a rejection (parse error or a check of the
 *       predictor) goes to the {@link #DEAD_LETTERS} side output and leaves the state untouched.</li>
 *   <li>{@link #processBroadcastElement}: {@link ModelRegistry#offer} the artifact; only accepted
 *       bytes are stored in the broadcast state {@link #MODELS} (a withdrawal removes them), so a model
 *       that fails validation is logged, counted and the previous one stays.</li>
 *   <li>After a restore, the transient {@link ModelRegistry} is rebuilt from the broadcast state's
 *       bytes on the first element of either input.</li>
 *   <li>On a fresh start (both sources begin at once and events may be read before the models topic),
 *       an event whose model is not there yet is held in keyed state, in order, instead of being
 *       dead-lettered as {@code no_model}: at most {@code maxHeldPerKey} per key
 *       ({@link FlinkSettings#HOLD_MAX_EVENTS}) and for at most the hold time. A processing-time timer (or
 *       the key's next event) releases them once their model is there, and dead-letters them when the hold
 *       time is up. Holding ends the hold time after the first model arrived (the models published with it
 *       have come by then); after a restore nothing is held.</li>
 *   <li>Sessions ({@code sessions.gap.ms} &gt; 0): each event goes through {@link KeySessions#process} instead, the
 *       key's open session is kept in its own keyed state ({@link #SESSION_STATE_NAME}, {@link KeySessionCodec}
 *       bytes) with one event-time timer, set when the session opens and re-armed at the real deadline
 *       when it fires early (lazy deadlines: an event that continues a session touches no timer); the timer or an
 *       explicit end closes it, the verdict goes to the {@link #VERDICTS} side output and the key's state is cleared.</li>
 * </ul>
 */
public class PredictFunction extends KeyedBroadcastProcessFunction<String, EventRecord, ModelRecord, PredictionRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PredictFunction.class);

    /**
     * Broadcast state: model name → the accepted record ({@link PublishedModel#encode()}: the artifact
     * with its signature headers, so a signature is checked again after a restore).
     */
    public static final MapStateDescriptor<String, byte[]> MODELS = new MapStateDescriptor<>(
            "models", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Side output: records that were not predicted. */
    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetterRecord.class));

    /** Side output: session verdicts (sessions on). */
    public static final OutputTag<VerdictRecord> VERDICTS =
            new OutputTag<>("verdicts", TypeInformation.of(VerdictRecord.class));

    public static final String KEY_STATE_NAME = "key-state";
    public static final String SESSION_STATE_NAME = "open-session";
    static final long HOLD_POLL_MS = 200;
    /** Counter of dead-lettered records, in a metric group {@code reason=<id>}. */
    public static final String DLQ_METRIC = "seqpredict_dlq_records";
    public static final String PREDICTIONS_METRIC = "seqpredict_predictions";
    /** Counter of models-topic records, in a metric group {@code result=accepted|unchanged|removed|rejected}. */
    public static final String MODEL_UPDATES_METRIC = "seqpredict_model_updates";

    private final Properties settings;
    private final long stateTtlMillis;
    private final long holdMillis;
    private final int maxHeldPerKey;

    private transient JobSettings jobSettings;
    private transient EventParser parser;
    private transient KeyedPredictor predictor;
    private transient ModelRegistry registry;
    private transient boolean registryLoaded;
    private transient ValueState<KeyState> keyState;
    private transient KeySessions sessions; // null: sessions off
    private transient ValueState<byte[]> sessionState;
    private transient ListState<EventRecord> held;
    private transient ValueState<long[]> holdInfo; // {first held at (processing time), count}
    /** Processing time until which events without their model are held; MAX_VALUE until the first model. */
    private transient long holdEndsAt;
    private transient Map<RejectReason, Counter> dlqCounters;
    private transient Counter predictions;
    private transient Map<String, Counter> modelCounters;
    /** The engine tag of the shared metrics. */
    public static final String ENGINE = "flink";
    private transient MetricGroup metrics;
    private transient StreamMetrics streamMetrics;
    private String metricsHost = "127.0.0.1";
    private int metricsPort = -1;

    /**
     * @param settings       the shared job settings (model selection, predictor config, limits)
     * @param stateTtlMillis a key's state expires after this long without a prediction; 0 = never
     * @param holdMillis     how long events may wait for the first model before they are dead-lettered
     *                       as {@code no_model}; 0 = never hold
     */
    public PredictFunction(JobSettings settings, long stateTtlMillis, long holdMillis) {
        this(settings, stateTtlMillis, holdMillis, FlinkSettings.DEFAULT_HOLD_MAX_EVENTS);
    }

    /** As above; {@code maxHeldPerKey}: how many events one key may hold before the next go to the DLQ. */
    public PredictFunction(JobSettings settings, long stateTtlMillis, long holdMillis, int maxHeldPerKey) {
        if (maxHeldPerKey < 1) {
            throw new IllegalArgumentException("maxHeldPerKey must be ≥ 1, got " + maxHeldPerKey);
        }
        this.settings = settings.toProperties();
        this.stateTtlMillis = stateTtlMillis;
        this.holdMillis = holdMillis;
        this.maxHeldPerKey = maxHeldPerKey;
    }

    /**
     * Serve the shared Micrometer metrics on {@code /metrics} at host:port from every TaskManager running
     * this function (one endpoint per JVM); port -1 = no endpoint (the metrics are still recorded).
     */
    public PredictFunction withMetricsEndpoint(String host, int port) {
        this.metricsHost = host;
        this.metricsPort = port;
        return this;
    }

    public static ValueStateDescriptor<KeyState> keyStateDescriptor(long ttlMillis) {
        ValueStateDescriptor<KeyState> d = new ValueStateDescriptor<>(KEY_STATE_NAME, KeyStateSerializer.INSTANCE);
        if (ttlMillis > 0) {
            d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(ttlMillis))
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
        return d;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        jobSettings = JobSettings.fromProperties(settings);
        parser = jobSettings.newParser();
        predictor = new KeyedPredictor(jobSettings.predictor());
        registry = jobSettings.newRegistry(); // with the configured verifier (signed models)
        registryLoaded = false;
        keyState = getRuntimeContext().getState(keyStateDescriptor(stateTtlMillis));
        sessions = KeySessions.of(jobSettings);
        if (sessions != null) {
            sessionState = getRuntimeContext().getState(new ValueStateDescriptor<>(SESSION_STATE_NAME,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }
        held = getRuntimeContext().getListState(new ListStateDescriptor<>("held-events", TypeInformation.of(EventRecord.class)));
        holdInfo = getRuntimeContext().getState(new ValueStateDescriptor<>("hold-info",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        metrics = getRuntimeContext().getMetricGroup();
        dlqCounters = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            dlqCounters.put(r, metrics.addGroup("reason", r.id()).counter(DLQ_METRIC));
        }
        predictions = metrics.counter(PREDICTIONS_METRIC);
        modelCounters = new HashMap<>();
        // The names both engines share (Micrometer, one registry per JVM); Flink's own counters above stay
        // for Flink's UI and reporters.
        streamMetrics = StreamMetrics.shared(MetricsEndpoint.registry(), ENGINE);
        streamMetrics.expectModel(jobSettings.defaultModel());
        if (metricsPort >= 0) {
            MetricsEndpoint.start(metricsHost, metricsPort);
        }
    }

    @Override
    public void processElement(EventRecord record, ReadOnlyContext ctx, Collector<PredictionRecord> out) throws Exception {
        if (!registryLoaded) {
            loadRegistry(ctx.getBroadcastState(MODELS).immutableEntries());
        }
        streamMetrics.eventIn();
        if (sessions != null && ctx.timestamp() != null) {
            record.timestamp = ctx.timestamp(); // kept if the record is held
        }
        EventParser.Result parsed = parser.parse(record.key, record.value);
        if (!parsed.ok()) { // never held: a record that is not an event does not touch the key's state
            deadLetter(record, parsed.rejection(), ctx);
            return;
        }
        boolean ready = registry.select(parsed.event()) != null;
        long now = ctx.timerService().currentProcessingTime();
        long[] info = holdInfo.value();
        if (info != null) { // this key has events waiting for their model
            if (!ready && holding(now)) {
                if (info[1] < maxHeldPerKey) {
                    held.add(record);
                    info[1]++;
                    holdInfo.update(info);
                } else {
                    deadLetter(record, new Rejection(RejectReason.NO_MODEL, "no model arrived; "
                            + maxHeldPerKey + " events of this key are already waiting for one (raise "
                            + FlinkSettings.HOLD_MAX_EVENTS + " for a first start on a backlog)"), ctx);
                }
                return;
            }
            release(ctx, out); // in arrival order, before this event
        } else if (!ready && holding(now)) {
            held.add(record);
            holdInfo.update(new long[] {now, 1});
            ctx.timerService().registerProcessingTimeTimer(now + HOLD_POLL_MS);
            return;
        }
        predict(record, parsed, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PredictionRecord> out) throws Exception {
        if (!registryLoaded) {
            loadRegistry(ctx.getBroadcastState(MODELS).immutableEntries());
        }
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) { // only sessions use event time
            closeSession(timestamp, ctx);
            return;
        }
        long[] info = holdInfo.value();
        if (info == null) {
            return;
        }
        if (firstHeldIsReady() || timestamp - info[0] >= holdMillis) {
            release(ctx, out); // an event whose model is still missing is dead-lettered as no_model
        } else {
            ctx.timerService().registerProcessingTimeTimer(timestamp + HOLD_POLL_MS);
        }
    }

    /**
     * Whether an event without its model waits (in keyed state) instead of going to the DLQ: on a fresh
     * start, until the first model arrives and for the hold time after it, so that the other models
     * published with it (read one by one, between events) are there too. Not after a restore: the
     * restored models are all there are.
     */
    private boolean holding(long now) {
        return holdMillis > 0 && now < holdEndsAt;
    }

    private boolean firstHeldIsReady() throws Exception {
        Iterable<EventRecord> events = held.get();
        if (events == null) {
            return true;
        }
        for (EventRecord r : events) {
            EventParser.Result parsed = parser.parse(r.key, r.value);
            return !parsed.ok() || registry.select(parsed.event()) != null;
        }
        return true;
    }

    /** Processes this key's held events in arrival order and forgets them. */
    private void release(ReadOnlyContext ctx, Collector<PredictionRecord> out) throws Exception {
        Iterable<EventRecord> events = held.get();
        if (events != null) {
            for (EventRecord r : events) {
                predict(r, parser.parse(r.key, r.value), ctx, out);
            }
        }
        held.clear();
        holdInfo.clear();
    }

    private void predict(EventRecord record, EventParser.Result parsed, ReadOnlyContext ctx,
                         Collector<PredictionRecord> out) throws Exception {
        if (!parsed.ok()) {
            deadLetter(record, parsed.rejection(), ctx);
            return;
        }
        Event event = parsed.event();
        KeyState before = keyState.value();
        if (sessions != null) {
            predictInSession(record, event, before, ctx, out);
            return;
        }
        long t0 = System.nanoTime();
        Outcome outcome = predictor.process(before, event, registry.select(event));
        long nanos = System.nanoTime() - t0;
        if (outcome instanceof Outcome.Predicted p) {
            keyState.update(p.state());
            Prediction pr = p.prediction();
            predictions.inc();
            if (before == null) {
                streamMetrics.keyCreated();
            }
            streamMetrics.predicted(pr, p.state(), nanos);
            out.collect(new PredictionRecord(pr.key(), pr.ts(), pr.model(), pr.version(), PredictionJson.toBytes(pr)));
        } else {
            deadLetter(record, ((Outcome.Rejected) outcome).rejection(), ctx);
        }
    }

    /** The sessions' step: {@link KeySessions#process}, then store, re-arm the timer and emit what it says. */
    private void predictInSession(EventRecord record, Event event, KeyState before, ReadOnlyContext ctx,
                                  Collector<PredictionRecord> out) throws Exception {
        long clock = record.timestamp != EventRecord.NO_TIMESTAMP ? record.timestamp : event.ts();
        byte[] stored = sessionState.value();
        KeySession open = stored == null ? null : KeySessionCodec.fromBytes(stored);
        ServingModel model = registry.select(event);
        long t0 = System.nanoTime();
        KeySessions.Step step = sessions.process(before, open, event, clock, model, registry);
        long nanos = System.nanoTime() - t0;
        for (ClosedSession c : step.closed()) {
            verdict(c, ctx);
        }
        if (step.state() == null) {
            if (before != null) {
                keyState.clear();
            }
        } else if (step.outcome() instanceof Outcome.Predicted) {
            keyState.update(step.state());
        }
        if (step.disarm() != KeySessions.NO_TIMER) {
            ctx.timerService().deleteEventTimeTimer(step.disarm());
        }
        if (step.arm() != KeySessions.NO_TIMER) {
            ctx.timerService().registerEventTimeTimer(step.arm());
        }
        streamMetrics.sessionsOpen((step.session() != null ? 1 : 0) - (open != null ? 1 : 0));
        if (step.session() != null) {
            sessionState.update(KeySessionCodec.toBytes(step.session()));
        } else if (open != null) {
            sessionState.clear();
        }
        if (step.outcome() instanceof Outcome.Predicted p) {
            Prediction pr = p.prediction();
            predictions.inc();
            if (before == null) {
                streamMetrics.keyCreated();
            }
            streamMetrics.predicted(pr, p.state(), nanos);
            out.collect(new PredictionRecord(pr.key(), pr.ts(), pr.model(), pr.version(), PredictionJson.toBytes(pr)));
        } else if (step.outcome() instanceof Outcome.Rejected r) {
            deadLetter(record, r.rejection(), ctx);
        }
    }

    /**
     * The key's session timer (lazy deadlines, {@link KeySessions#expire}): closes the session once the watermark has
     * reached its real deadline, re-arms the timer there when the session had events since it was set, and ignores a
     * stale timer.
     */
    private void closeSession(long timestamp, OnTimerContext ctx) throws Exception {
        if (sessions == null) {
            return;
        }
        byte[] stored = sessionState.value();
        if (stored == null) {
            return;
        }
        KeySession open = KeySessionCodec.fromBytes(stored);
        long now = Math.max(timestamp, ctx.timerService().currentWatermark());
        KeySessions.Expiry e = sessions.expire(ctx.getCurrentKey(), keyState.value(), open, timestamp, now, registry);
        if (e == null) {
            return;
        }
        if (e.closed() != null) {
            verdict(e.closed(), ctx);
            keyState.clear();
            sessionState.clear();
            streamMetrics.sessionsOpen(-1);
            if (e.disarm() != KeySessions.NO_TIMER) {
                ctx.timerService().deleteEventTimeTimer(e.disarm());
            }
        } else {
            sessionState.update(KeySessionCodec.toBytes(open));
            ctx.timerService().registerEventTimeTimer(e.rearm());
        }
    }

    private void verdict(ClosedSession c, ReadOnlyContext ctx) {
        streamMetrics.sessionClosed(c);
        ctx.output(VERDICTS, new VerdictRecord(c.key(), c.lastTs(), SessionJson.toBytes(c)));
    }

    @Override
    public void processBroadcastElement(ModelRecord record, Context ctx, Collector<PredictionRecord> out) throws Exception {
        BroadcastState<String, byte[]> models = ctx.getBroadcastState(MODELS);
        if (!registryLoaded) {
            loadRegistry(models.immutableEntries());
        }
        PublishedModel published = record.published();
        ModelRegistry.Update update = registry.offer(published);
        if (update instanceof ModelRegistry.Update.Accepted a) {
            models.put(record.name, published.encode());
            if (holdEndsAt == Long.MAX_VALUE) { // the first model of a fresh start
                holdEndsAt = ctx.currentProcessingTime() + holdMillis;
            }
            LOG.info("model '{}' v{} accepted{}", a.model().name(), a.model().version(),
                    a.replaced() == null ? "" : " (replaces v" + a.replaced().version() + ")");
            count("accepted", null);
            streamMetrics.modelAccepted(a.model());
        } else if (update instanceof ModelRegistry.Update.Unchanged) {
            count("unchanged", null);
        } else if (update instanceof ModelRegistry.Update.Removed) {
            models.remove(record.name);
            LOG.info("model '{}' withdrawn", record.name);
            count("removed", null);
            streamMetrics.modelRemoved(record.name);
        } else if (update instanceof ModelRegistry.Update.Rejected r) {
            LOG.warn("model '{}' rejected ({}): {}; the previous model stays", r.name(), r.reason(), r.detail());
            count("rejected", r.reason());
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) { // once per job, not per subtask
                streamMetrics.modelRejected(r.name(), r.reason());
            }
        }
    }

    private void loadRegistry(Iterable<Map.Entry<String, byte[]>> stored) {
        for (Map.Entry<String, byte[]> e : stored) {
            ModelRegistry.Update u = registry.offer(PublishedModel.decode(e.getKey(), e.getValue()));
            if (u instanceof ModelRegistry.Update.Rejected r) {
                LOG.warn("restored model '{}' rejected ({}): {}", r.name(), r.reason(), r.detail());
            }
        }
        holdEndsAt = registry.isEmpty() ? Long.MAX_VALUE : Long.MIN_VALUE;
        registryLoaded = true;
    }

    private void deadLetter(EventRecord record, Rejection rejection, ReadOnlyContext ctx) {
        ctx.output(DEAD_LETTERS, deadLetterRecord(record, rejection));
    }

    /** The dead letter of a record, counted. */
    private DeadLetterRecord deadLetterRecord(EventRecord record, Rejection rejection) {
        dlqCounters.get(rejection.reason()).inc();
        streamMetrics.deadLetter(rejection.reason());
        return new DeadLetterRecord(record, rejection.reason().id(), rejection.detail(),
                jobSettings.maxKeyBytes(), jobSettings.maxEventBytes());
    }

    // ---- batching (BatchingPredictOperator) ---------------------------------------------------

    /** Whether this function's events may be batched at all: with sessions off (sessions stay per event). */
    boolean batchable() {
        return sessions == null;
    }

    /** One buffered event of a batch, prepared with its key current: a prediction to make or a parse error. */
    static final class Pending {
        final EventRecord record;
        final Event event;          // null: the record did not parse
        final ServingModel model;
        final Rejection rejection;  // the parse error
        final long timestamp;       // Long.MIN_VALUE: none

        private Pending(EventRecord record, Event event, ServingModel model, Rejection rejection, long timestamp) {
            this.record = record;
            this.event = event;
            this.model = model;
            this.rejection = rejection;
            this.timestamp = timestamp;
        }
    }

    /** Where a batch's results go (the operator's outputs and key context). */
    interface BatchOutput {
        void setCurrentKey(String key);

        void prediction(PredictionRecord record, long timestamp);

        void deadLetter(DeadLetterRecord record, long timestamp);
    }

    /**
     * The part of {@link #processElement} before the prediction, for a buffered event with its key current: a
     * {@link Pending}, or null when the event must take the per-event path instead (the registry is not loaded
     * yet, or the key holds events waiting for their model, or this event would be held).
     *
     * @param now       the processing time
     * @param timestamp the record's timestamp, Long.MIN_VALUE for none
     */
    Pending prepare(EventRecord record, long now, long timestamp) throws Exception {
        if (!registryLoaded) {
            return null;
        }
        EventParser.Result parsed = parser.parse(record.key, record.value);
        if (!parsed.ok()) {
            streamMetrics.eventIn();
            return new Pending(record, null, null, parsed.rejection(), timestamp);
        }
        ServingModel model = registry.select(parsed.event());
        if (holdInfo.value() != null || (model == null && holding(now))) {
            return null;
        }
        streamMetrics.eventIn();
        return new Pending(record, parsed.event(), model, null, timestamp);
    }

    /**
     * Predicts the prepared events as {@link #predict} does one by one, with {@link KeyedPredictor#processBatch}:
     * each key's state read once, its events in order, its state written back once; the results are emitted
     * in the order of {@code batch}.
     */
    void predictBatch(java.util.List<Pending> batch, BatchOutput out) throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        java.util.List<String> keys = new java.util.ArrayList<>(batch.size());
        java.util.List<Event> events = new java.util.ArrayList<>(batch.size());
        java.util.List<ServingModel> models = new java.util.ArrayList<>(batch.size());
        Map<String, KeyState> states = new HashMap<>();
        java.util.Set<String> created = new java.util.HashSet<>();
        for (Pending p : batch) {
            if (p.event == null) {
                continue;
            }
            String key = p.record.partitionKey();
            if (!states.containsKey(key)) {
                out.setCurrentKey(key);
                KeyState s = keyState.value();
                states.put(key, s);
                if (s == null) {
                    created.add(key);
                }
            }
            keys.add(key);
            events.add(p.event);
            models.add(p.model);
        }
        if (!events.isEmpty()) {
            streamMetrics.batch(events.size());
        }
        long t0 = System.nanoTime();
        java.util.List<Outcome> outcomes = predictor.processBatch(keys, events, models, states);
        long nanos = (System.nanoTime() - t0) / Math.max(1, events.size());
        java.util.Set<String> updated = new java.util.LinkedHashSet<>();
        int j = 0;
        for (Pending p : batch) {
            if (p.event == null) {
                out.deadLetter(deadLetterRecord(p.record, p.rejection), p.timestamp);
                continue;
            }
            Outcome outcome = outcomes.get(j++);
            if (outcome instanceof Outcome.Predicted pr) {
                String key = keys.get(j - 1);
                updated.add(key);
                Prediction prediction = pr.prediction();
                predictions.inc();
                if (created.remove(key)) {
                    streamMetrics.keyCreated();
                }
                streamMetrics.predicted(prediction, pr.state(), nanos);
                out.prediction(new PredictionRecord(prediction.key(), prediction.ts(), prediction.model(), prediction.version(),
                        PredictionJson.toBytes(prediction)), p.timestamp);
            } else {
                out.deadLetter(deadLetterRecord(p.record, ((Outcome.Rejected) outcome).rejection()), p.timestamp);
            }
        }
        for (String key : updated) {
            out.setCurrentKey(key);
            keyState.update(states.get(key));
        }
    }

    private void count(String result, String reason) {
        String id = reason == null ? result : result + "/" + reason;
        modelCounters.computeIfAbsent(id, k -> {
            MetricGroup g = metrics.addGroup("result", result);
            if (reason != null) {
                g = g.addGroup("reason", reason);
            }
            return g.counter(MODEL_UPDATES_METRIC);
        }).inc();
    }

    /** Test hook: the registry as rebuilt by this instance. */
    ModelRegistry registry() {
        return registry;
    }
}

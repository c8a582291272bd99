package dev.seqpredict.metrics;

import dev.seqpredict.processor.ModelRegistry;

import dev.seqpredict.model.Task;
import dev.seqpredict.processor.ClosedSession;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.Prediction;
import dev.seqpredict.processor.RejectReason;
import dev.seqpredict.processor.ServingModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metrics of the per-key processing, with one set of names for both engines (Prometheus names in
 * brackets; every meter carries the tag {@code engine} = flink | kstreams | cli):
 * <ul>
 *   <li>{@code seqpredict.events.in} [seqpredict_events_in_total]: records read from the events topic</li>
 *   <li>{@code seqpredict.predictions} [seqpredict_predictions_total{model,version}]: predictions emitted</li>
 *   <li>{@code seqpredict.dlq.records} [seqpredict_dlq_records_total{reason}]: records sent to the DLQ</li>
 *   <li>{@code seqpredict.step.latency} [seqpredict_step_latency_seconds_bucket]: per-event processing
 *       time (state already loaded: check, swap, score, step)</li>
 *   <li>{@code seqpredict.keys} [seqpredict_keys]: keys this instance gave state to since it started</li>
 *   <li>{@code seqpredict.state.bytes} [seqpredict_state_bytes]: estimated bytes of those keys' state</li>
 *   <li>{@code seqpredict.model.swaps} [seqpredict_model_swaps_total{model,version}]: keys moved to a new model</li>
 *   <li>{@code seqpredict.models.accepted} / {@code seqpredict.models.rejected}
 *       [seqpredict_models_accepted_total{model}, seqpredict_models_rejected_total{model,reason}]</li>
 *   <li>{@code seqpredict.model.active} [seqpredict_model_active{model,version}]: 1 for the version in service</li>
 *   <li>{@code seqpredict.prediction.error} and {@code seqpredict.prediction.squared.error}
 *       [_sum/_count {model,version}]: MAE = rate(sum)/rate(count); RMSE = √(rate(sum)/rate(count))</li>
 *   <li>{@code seqpredict.log.topg} [seqpredict_log_topg_total{model,version,hit}]: top-g hit rate</li>
 *   <li>{@code seqpredict.anomalies} [seqpredict_anomalies_total{model}]: events flagged</li>
 *   <li>{@code seqpredict.sessions.closed} [seqpredict_sessions_closed_total{model,verdict,reason,closed_by}]:
 *       session verdicts (sessions on): model ("none" when no event was predicted), verdict anomalous | normal, reason miss | end | a rejection reason | none,
 *       closed_by gap | end</li>
 *   <li>{@code seqpredict.sessions.open} [seqpredict_sessions_open]: sessions this instance (JVM: all of its Flink
 *       subtasks or Kafka Streams tasks) opened and has not closed since it started; sessions restored from a
 *       checkpoint or changelog are not counted until they close (each close then subtracts one), so after a
 *       restore it reads low, and can go below 0, until the restored sessions are closed</li>
 * </ul>
 * Thread-safe; meters are created once and cached, so the per-event cost is a map lookup and an add.
 */
public final class StreamMetrics {

    private final MeterRegistry registry;
    private final Tags base;
    private final Counter eventsIn;
    private final Counter keysExpired;
    private final Timer stepLatency;
    private volatile DistributionSummary batchEvents; // registered at the first batched pass: absent on Kafka Streams
    private final Map<RejectReason, Counter> dlq = new EnumMap<>(RejectReason.class);
    /** model → version → meters: looked up per event without building a key. */
    private final Map<String, Map<String, VersionMeters>> byVersion = new ConcurrentHashMap<>();
    private final Map<String, String> activeVersion = new ConcurrentHashMap<>();
    private final Map<String, Counter> sessionsClosed = new ConcurrentHashMap<>();
    private final AtomicLong keys = new AtomicLong();
    private final AtomicLong sessionsOpen = new AtomicLong();
    private final AtomicLong stateBytesPerKey = new AtomicLong();

    private static final Map<String, StreamMetrics> SHARED = new ConcurrentHashMap<>();

    /**
     * One instance per registry and engine in this JVM, for engines that create many processing
     * functions per JVM (e.g. Flink's parallel subtasks), so gauges count all of them.
     */
    public static StreamMetrics shared(MeterRegistry registry, String engine) {
        return SHARED.computeIfAbsent(System.identityHashCode(registry) + "/" + engine, k -> new StreamMetrics(registry, engine));
    }

    public StreamMetrics(MeterRegistry registry, String engine) {
        this.registry = registry;
        this.base = Tags.of("engine", engine);
        this.eventsIn = Counter.builder("seqpredict.events.in").tags(base).description("Records read from the events topic").register(registry);
        this.stepLatency = Timer.builder("seqpredict.step.latency").tags(base).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(200)).maximumExpectedValue(Duration.ofMillis(50))
                .description("Per-event processing time with the key's state loaded").register(registry);
        for (RejectReason r : RejectReason.values()) {
            dlq.put(r, Counter.builder("seqpredict.dlq.records").tags(base).tag("reason", r.id())
                    .description("Records sent to the dead-letter topic").register(registry));
        }
        this.keysExpired = Counter.builder("seqpredict.keys.expired").tags(base)
                .description("Keys whose state was deleted after the state TTL (Kafka Streams)").register(registry);
        Gauge.builder("seqpredict.keys", keys, AtomicLong::get).tags(base)
                .description("Keys this instance gave state to since it started").register(registry);
        Gauge.builder("seqpredict.sessions.open", sessionsOpen, AtomicLong::get).tags(base)
                .description("Sessions this instance opened and has not closed since it started").register(registry);
        Gauge.builder("seqpredict.state.bytes", this, m -> (double) m.keys.get() * m.stateBytesPerKey.get()).tags(base)
                .description("Estimated bytes of keyed state held for those keys").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void eventIn() {
        eventsIn.increment();
    }

    public void deadLetter(RejectReason reason) {
        dlq.get(reason).increment();
    }

    /** A batched pass (Flink operator batching) predicted {@code events} events. */
    public void batch(int events) {
        DistributionSummary s = batchEvents;
        if (s == null) { // a race registers twice, and Micrometer hands both the same meter
            s = DistributionSummary.builder("seqpredict.batch.events").tags(base)
                    .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
                    .description("Events per batched pass of the Flink operator (flink.batch.size > 1)").register(registry);
            batchEvents = s;
        }
        s.record(events);
    }

    /** A key got state for the first time. */
    public void keyCreated() {
        keys.incrementAndGet();
    }

    /** Keys whose state was deleted for being idle longer than the state TTL (Kafka Streams). */
    public void keysExpired(int n) {
        keysExpired.increment(n);
    }

    /** Sessions opened (+) or closed (-): the change in this instance's open sessions. */
    public void sessionsOpen(int delta) {
        if (delta != 0) {
            sessionsOpen.addAndGet(delta);
        }
    }

    /** The open sessions gauge's value. */
    public long sessionsOpen() {
        return sessionsOpen.get();
    }

    /** A session closed with its verdict. */
    public void sessionClosed(ClosedSession c) {
        String verdict = c.verdict().anomalous() ? "anomalous" : "normal";
        String reason = c.verdict().reason() == null ? "none" : c.verdict().reason();
        String model = c.model() == null ? "none" : c.model();
        sessionsClosed.computeIfAbsent(model + "/" + verdict + "/" + reason + "/" + c.closedBy(), k ->
                Counter.builder("seqpredict.sessions.closed").tags(base).tag("model", model).tag("verdict", verdict).tag("reason", reason)
                        .tag("closed_by", c.closedBy()).description("Sessions closed, by verdict, first reason and cause")
                        .register(registry)).increment();
    }

    /** Records what one prediction tells: counts, error, anomaly, swap, latency and state size. */
    public void predicted(Prediction p, KeyState state, long stepNanos) {
        stepLatency.record(stepNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        VersionMeters m = meters(p.model(), p.version());
        m.predictions.increment();
        if (!Float.isNaN(p.error())) {
            if (p.task() == Task.REGRESSION) {
                m.error.record(p.error());
                m.squaredError.record((double) p.error() * p.error());
            } else if (p.inTopG() != null) {
                (p.inTopG() ? m.topgHit : m.topgMiss).increment();
            }
        }
        if (p.anomaly()) {
            m.anomalies.increment();
        }
        if (p.swapped()) {
            m.swaps.increment();
        }
        stateBytesPerKey.set(4L * state.floatCount() + 100);
    }

    private VersionMeters meters(String model, String version) {
        Map<String, VersionMeters> versions = byVersion.get(model);
        VersionMeters m = versions == null ? null : versions.get(version);
        if (m == null) { // first prediction of this version: allocate once
            m = byVersion.computeIfAbsent(model, k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(version, v -> new VersionMeters(model, v));
        }
        return m;
    }

    public void modelAccepted(ServingModel model) {
        Counter.builder("seqpredict.models.accepted").tags(base).tag("model", model.name()).register(registry).increment();
        String previous = activeVersion.put(model.name(), model.version());
        if (model.version().equals(previous)) {
            return; // several tasks of one instance accept the same model
        }
        if (previous != null) {
            registry.find("seqpredict.model.active").tags(base).tag("model", model.name()).tag("version", previous)
                    .meters().forEach(registry::remove);
        }
        Gauge.builder("seqpredict.model.active", () -> 1).tags(base).tag("model", model.name()).tag("version", model.version())
                .description("1 for the model version in service").register(registry);
    }

    public void modelRemoved(String name) {
        String previous = activeVersion.remove(name);
        if (previous != null) {
            registry.find("seqpredict.model.active").tags(base).tag("model", name).meters().forEach(registry::remove);
        }
    }

    /**
     * Registers the model counters of {@code name} at zero (every known rejection reason), so that dashboards show
     * 0, not "No data", for a healthy job that never rejected a model.
     */
    public void expectModel(String name) {
        if (name == null || name.isBlank()) {
            return;
        }
        Counter.builder("seqpredict.models.accepted").tags(base).tag("model", name).register(registry);
        for (String reason : ModelRegistry.REJECT_REASONS) {
            Counter.builder("seqpredict.models.rejected").tags(base).tag("model", name).tag("reason", reason)
                    .description("Published models rejected, by reason").register(registry);
        }
    }

    public void modelRejected(String name, String reason) {
        Counter.builder("seqpredict.models.rejected").tags(base).tag("model", name).tag("reason", reason)
                .description("Published models rejected, by reason").register(registry).increment();
    }

    private final class VersionMeters {
        final Counter predictions;
        final DistributionSummary error;
        final DistributionSummary squaredError;
        final Counter topgHit;
        final Counter topgMiss;
        final Counter anomalies;
        final Counter swaps;

        VersionMeters(String model, String version) {
            Tags t = base.and("model", model, "version", version);
            predictions = Counter.builder("seqpredict.predictions").tags(t).description("Predictions emitted").register(registry);
            error = DistributionSummary.builder("seqpredict.prediction.error").tags(t)
                    .description("Error of each prediction against the event it forecast").register(registry);
            squaredError = DistributionSummary.builder("seqpredict.prediction.squared.error").tags(t).register(registry);
            topgHit = Counter.builder("seqpredict.log.topg").tags(t).tag("hit", "true").register(registry);
            topgMiss = Counter.builder("seqpredict.log.topg").tags(t).tag("hit", "false").register(registry);
            anomalies = Counter.builder("seqpredict.anomalies").tags(base).tag("model", model).register(registry);
            swaps = Counter.builder("seqpredict.model.swaps").tags(t).description("Keys moved to this model version").register(registry);
        }
    }
}

package dev.seqpredict.flink;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import dev.seqpredict.processor.JobSettings;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * The Flink-specific settings of the prediction job, read from the same properties as
 * {@link dev.seqpredict.processor.JobSettings}. Any {@code flink.conf.<key>} property is passed to
 * Flink's {@link Configuration} as {@code <key>} (e.g. {@code flink.conf.state.backend.incremental=true}).
 *
 * <p>Checkpointing, state backend, restart strategy and parallelism are set on the job only when the
 * properties name them: otherwise the cluster's configuration decides (a FlinkDeployment's
 * {@code flinkConfiguration}, {@code FLINK_PROPERTIES}, config.yaml), since a job-level value would
 * override it. In-process runs use {@link #withLocalDefaults()}. A job with exactly-once delivery on a
 * cluster without checkpointing turns it on itself (see {@link PredictionJob#environment}).
 */
public record FlinkSettings(
        String jobName,
        int parallelism,
        long checkpointIntervalMs,
        String checkpointDir,
        String stateBackend,
        long stateTtlMs,
        long holdMs,
        int holdMaxEventsPerKey,
        DeliveryGuarantee deliveryGuarantee,
        String transactionalIdPrefix,
        long transactionTimeoutMs,
        Integer restartAttempts,
        long restartDelayMs,
        String groupId,
        Map<String, String> flinkConf,
        String metricsHost,
        int metricsPort,
        int batchSize,
        long batchMaxDelayMs) {

    public static final String JOB_NAME = "flink.job.name";
    public static final String PARALLELISM = "flink.parallelism";
    public static final String CHECKPOINT_INTERVAL = "flink.checkpoint.interval.ms";
    public static final String CHECKPOINT_DIR = "flink.checkpoint.dir";
    /** {@code hashmap} (heap, the default) or {@code rocksdb}; Flink's {@code state.backend.type}. */
    public static final String STATE_BACKEND = "flink.state.backend";
    /** A key's state expires this long after its last prediction; 0 = never. */
    public static final String STATE_TTL = "flink.state.ttl.ms";
    /** How long events may wait for the first model after a fresh start before they go to the DLQ; 0 = never hold. */
    public static final String HOLD = "flink.hold.until.model.ms";
    /**
     * How many events one key may hold while waiting for the first model; the next ones go to the DLQ as
     * {@code no_model}. A first start on a backlog needs at least the backlog's events per key.
     */
    public static final String HOLD_MAX_EVENTS = "flink.hold.max.events.per.key";
    public static final int DEFAULT_HOLD_MAX_EVENTS = 1000;
    /** {@code exactly-once} (default) or {@code at-least-once}. */
    public static final String DELIVERY = "flink.delivery.guarantee";
    public static final String TRANSACTIONAL_ID_PREFIX = "flink.transactional.id.prefix";
    /** Producer {@code transaction.timeout.ms}; must not exceed the broker's maximum (15 min by default). */
    public static final String TRANSACTION_TIMEOUT = "flink.transaction.timeout.ms";
    public static final String RESTART_ATTEMPTS = "flink.restart.attempts";
    public static final String RESTART_DELAY = "flink.restart.delay.ms";
    public static final String GROUP_ID = "flink.group.id";
    public static final String CONF_PREFIX = "flink.conf.";
    /**
     * Operator batching: up to this many events are collected and their model steps made in batched passes
     * ({@link BatchingPredictOperator}); 1 = off, each event on its own (sessions on: always off).
     */
    public static final String BATCH_SIZE = "flink.batch.size";
    public static final int DEFAULT_BATCH_SIZE = 64; // on: BENCHMARKS §7a (LSTM/identity 0.88–0.93 vs 0.74–0.88 off, p99 +2 ms at 1 ms)
    /** Operator batching: the longest an event waits in a batch that is not full, in ms (0: until the next timer tick). */
    public static final String BATCH_MAX_DELAY = "flink.batch.max-delay-ms";
    public static final long DEFAULT_BATCH_MAX_DELAY_MS = 1;
    /** Checkpoint interval of in-process runs, and of cluster runs whose cluster has no checkpointing. */
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;
    /** -1: a setting the properties leave to the cluster. */
    public static final int UNSET = -1;

    public FlinkSettings {
        flinkConf = Map.copyOf(flinkConf == null ? Map.of() : flinkConf);
        if (stateBackend != null && !stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException(STATE_BACKEND + " must be hashmap or rocksdb, got '" + stateBackend + "'");
        }
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE && checkpointIntervalMs == 0) {
            throw new IllegalArgumentException("exactly-once delivery needs checkpointing: set " + CHECKPOINT_INTERVAL + " > 0");
        }
        if (checkpointIntervalMs < UNSET) {
            throw new IllegalArgumentException(CHECKPOINT_INTERVAL + " must be ≥ 0");
        }
        if (transactionTimeoutMs <= 0 || transactionTimeoutMs > 900_000) {
            throw new IllegalArgumentException(TRANSACTION_TIMEOUT + " must be in 1..900000 (the broker's default maximum)");
        }
        if (holdMs < 0) {
            throw new IllegalArgumentException(HOLD + " must be ≥ 0");
        }
        if (holdMaxEventsPerKey < 1) {
            throw new IllegalArgumentException(HOLD_MAX_EVENTS + " must be ≥ 1");
        }
        if (stateTtlMs < 0) {
            throw new IllegalArgumentException(STATE_TTL + " must be ≥ 0");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException(BATCH_SIZE + " must be ≥ 1 (1 = off), got " + batchSize);
        }
        if (batchMaxDelayMs < 0) {
            throw new IllegalArgumentException(BATCH_MAX_DELAY + " must be ≥ 0, got " + batchMaxDelayMs);
        }
    }

    public static FlinkSettings defaults() {
        return fromProperties(new Properties());
    }

    public static FlinkSettings fromProperties(Properties p) {
        Map<String, String> conf = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith(CONF_PREFIX)) {
                conf.put(name.substring(CONF_PREFIX.length()), p.getProperty(name));
            }
        }
        // Flink's own key is honoured too, so "state.backend.type: rocksdb" works as documented by Flink
        String backend = p.getProperty(STATE_BACKEND, p.getProperty(StateBackendOptions.STATE_BACKEND.key()));
        return new FlinkSettings(
                p.getProperty(JOB_NAME, "seqpredict"),
                (int) JobSettings.longProp(p, PARALLELISM, UNSET),
                JobSettings.longProp(p, CHECKPOINT_INTERVAL, UNSET),
                p.getProperty(CHECKPOINT_DIR),
                backend == null ? null : backend.trim().toLowerCase(Locale.ROOT),
                JobSettings.longProp(p, STATE_TTL, 0),
                JobSettings.longProp(p, HOLD, 60_000),
                (int) Math.min(Integer.MAX_VALUE, JobSettings.longProp(p, HOLD_MAX_EVENTS, DEFAULT_HOLD_MAX_EVENTS)),
                delivery(p.getProperty(DELIVERY, "exactly-once")),
                p.getProperty(TRANSACTIONAL_ID_PREFIX, "seqpredict-flink"),
                JobSettings.longProp(p, TRANSACTION_TIMEOUT, 600_000),
                p.containsKey(RESTART_ATTEMPTS) ? (int) JobSettings.longProp(p, RESTART_ATTEMPTS, 0) : null,
                JobSettings.longProp(p, RESTART_DELAY, 2_000),
                p.getProperty(GROUP_ID, "seqpredict-flink"),
                conf,
                p.getProperty(dev.seqpredict.metrics.MetricsEndpoint.HOST_PROPERTY, "127.0.0.1").trim(),
                (int) JobSettings.longProp(p, dev.seqpredict.metrics.MetricsEndpoint.PORT_PROPERTY, -1),
                (int) Math.min(Integer.MAX_VALUE, JobSettings.longProp(p, BATCH_SIZE, DEFAULT_BATCH_SIZE)),
                JobSettings.longProp(p, BATCH_MAX_DELAY, DEFAULT_BATCH_MAX_DELAY_MS));
    }

    /**
     * For runs in this JVM: checkpoints every 10 s, heap state, fixed-delay restarts (10 attempts), for
     * whatever the properties leave unset.
     */
    public FlinkSettings withLocalDefaults() {
        return new FlinkSettings(jobName, parallelism,
                checkpointIntervalMs == UNSET ? DEFAULT_CHECKPOINT_INTERVAL_MS : checkpointIntervalMs, checkpointDir,
                stateBackend == null ? "hashmap" : stateBackend, stateTtlMs, holdMs, holdMaxEventsPerKey, deliveryGuarantee,
                transactionalIdPrefix, transactionTimeoutMs, restartAttempts == null ? 10 : restartAttempts,
                restartDelayMs, groupId, flinkConf, metricsHost, metricsPort, batchSize, batchMaxDelayMs);
    }

    /**
     * The job-level Flink configuration of the settings the properties name (checkpointing, state
     * backend, restarts, parallelism, {@code flink.conf.*}); always: no fallback to Kryo.
     */
    public Configuration toConfiguration() {
        Configuration c = new Configuration();
        if (stateBackend != null) {
            c.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        }
        if (checkpointIntervalMs > 0) {
            c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointIntervalMs));
            c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        }
        if (checkpointDir != null && !checkpointDir.isBlank()) {
            c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        }
        if (restartAttempts != null) {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restartAttempts);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(restartDelayMs));
        }
        // every type on the wire and in state has a Flink serializer of its own: fail rather than fall back to Kryo
        c.set(PipelineOptions.GENERIC_TYPES, false);
        if (parallelism > 0) {
            c.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        }
        flinkConf.forEach(c::setString);
        return c;
    }

    private static DeliveryGuarantee delivery(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            default -> throw new IllegalArgumentException(DELIVERY + " must be exactly-once or at-least-once, got '" + s + "'");
        };
    }
}

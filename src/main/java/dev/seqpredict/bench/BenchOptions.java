package dev.seqpredict.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What one {@code seqpredict bench} invocation measures: every combination of keys × hidden size × engine ×
 * model, one run each, on one in-process broker.
 *
 * @param engines           {@code flink-heap}, {@code flink-rocksdb}, {@code kstreams}
 * @param models            {@code lstm} (the cell below, with random weights) and/or {@code identity} (same
 *                          artifact, no math: {@link IdentityKernels})
 * @param events            M: events of the throughput phase (at least {@code minEventsPerKey} × keys)
 * @param latencyEvents     events of the paced latency phase (0: none)
 * @param rate              events/s of the paced phases (capped at half the measured throughput)
 * @param swapSeconds       length of the paced phase in which model version 2 is published half-way (0: none)
 * @param exactlyOnce       exactly-once (transactions, read_committed) instead of at-least-once
 * @param checkpointMs      Flink's checkpoint interval
 * @param repeat            how often each engine runs the model list (lstm, identity, lstm, identity, ...)
 * @param incremental       incremental RocksDB checkpoints (default full, so the checkpoint size is the live state)
 * @param warmupEvents      events of an unreported first run that warms the JIT (0: none)
 * @param sessionGapMs      {@code sessions.gap.ms} of the jobs (0: sessions off), to measure what sessions cost
 * @param flinkBatch        {@code flink.batch.size} of the engine {@code flink-heap-batch} (the other Flink engines
 *                          run with the job's default)
 */
public record BenchOptions(List<String> engines, List<String> models, List<Integer> keys, List<Integer> hidden,
                           String cell, int layers, long events, int minEventsPerKey, int latencyEvents, double rate,
                           int swapSeconds, boolean exactlyOnce, long checkpointMs, int parallelism,
                           long timeoutSeconds, Path out, int repeat, long warmupEvents, boolean incremental,
                           long sessionGapMs, int flinkBatch) {

    /** The default batch of {@code flink-heap-batch}. */
    public static final int DEFAULT_FLINK_BATCH = 64;

    /** {@code flink-heap-batch} with the default batch. */
    public BenchOptions(List<String> engines, List<String> models, List<Integer> keys, List<Integer> hidden,
                        String cell, int layers, long events, int minEventsPerKey, int latencyEvents, double rate,
                        int swapSeconds, boolean exactlyOnce, long checkpointMs, int parallelism,
                        long timeoutSeconds, Path out, int repeat, long warmupEvents, boolean incremental,
                        long sessionGapMs) {
        this(engines, models, keys, hidden, cell, layers, events, minEventsPerKey, latencyEvents, rate, swapSeconds,
                exactlyOnce, checkpointMs, parallelism, timeoutSeconds, out, repeat, warmupEvents, incremental, sessionGapMs,
                DEFAULT_FLINK_BATCH);
    }

    /** Sessions off. */
    public BenchOptions(List<String> engines, List<String> models, List<Integer> keys, List<Integer> hidden,
                        String cell, int layers, long events, int minEventsPerKey, int latencyEvents, double rate,
                        int swapSeconds, boolean exactlyOnce, long checkpointMs, int parallelism,
                        long timeoutSeconds, Path out, int repeat, long warmupEvents, boolean incremental) {
        this(engines, models, keys, hidden, cell, layers, events, minEventsPerKey, latencyEvents, rate, swapSeconds,
                exactlyOnce, checkpointMs, parallelism, timeoutSeconds, out, repeat, warmupEvents, incremental, 0);
    }
}

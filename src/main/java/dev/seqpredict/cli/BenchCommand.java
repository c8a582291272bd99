package dev.seqpredict.cli;

import dev.seqpredict.bench.BenchOptions;
import dev.seqpredict.bench.ThroughputBench;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Throughput, latency, hot-swap time and state size of the real jobs (Flink MiniCluster with heap or"
                + " RocksDB state, Kafka Streams) on an in-process broker, each against the same job with an IDENTITY"
                + " model (the same artifact with no-math kernels: state read/write and everything else, no step).",
                "Every combination of --keys × --hidden × --engines × --models is one run; one Markdown row per run."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--engines", split = ",", defaultValue = "flink-heap,flink-rocksdb,kstreams",
            description = "flink-heap (heap state, per-event path: flink.batch.size=1), flink-heap-batch (flink-heap with operator batching, see --flink-batch), flink-rocksdb, kstreams, kstreams-nocache (kstreams with state.cache.keys=0), flink-djl (the same Flink job with a DJL forward per event: the peer; lstm only) (default: ${DEFAULT-VALUE}).")
    List<String> engines;

    @Option(names = "--models", split = ",", defaultValue = "lstm,identity",
            description = "lstm (the --cell with random weights) and/or identity (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--keys", split = ",", defaultValue = "10000", description = "N: distinct keys (default: ${DEFAULT-VALUE}).")
    List<Integer> keys;

    @Option(names = "--events", defaultValue = "200000", description = "M: events of the throughput phase (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--min-events-per-key", defaultValue = "2",
            description = "M is raised to at least this × N (default: ${DEFAULT-VALUE}).")
    int minEventsPerKey;

    @Option(names = "--hidden", split = ",", defaultValue = "64", description = "Hidden sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> hidden;

    @Option(names = "--cell", defaultValue = "lstm", description = "lstm, gru, rnn_tanh (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--layers", defaultValue = "1", description = "Layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--latency-events", defaultValue = "5000", description = "Events of the paced latency phase (default: ${DEFAULT-VALUE}).")
    int latencyEvents;

    @Option(names = "--rate", defaultValue = "2000", description = "Events/s of the paced phases, at most half the measured throughput (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--swap-seconds", defaultValue = "4", description = "Paced phase with model v2 published half-way; 0 = none (default: ${DEFAULT-VALUE}).")
    int swapSeconds;

    @Option(names = "--exactly-once", description = "Exactly-once output (transactions; visible at each checkpoint/commit) instead of at-least-once.")
    boolean exactlyOnce;

    @Option(names = "--checkpoint-ms", defaultValue = "5000", description = "Flink checkpoint interval (default: ${DEFAULT-VALUE}).")
    long checkpointMs;

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism, Kafka Streams threads, partitions (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--timeout", defaultValue = "600", description = "Seconds a phase may take (default: ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--repeat", defaultValue = "1", description = "Each engine runs the model list this often, alternating (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup-events", defaultValue = "50000", description = "Events of an unreported first run that warms the JIT; 0 = none (default: ${DEFAULT-VALUE}).")
    long warmupEvents;

    @Option(names = "--incremental", description = "Incremental RocksDB checkpoints (default: full, so the checkpoint size is the live state).")
    boolean incremental;

    @Option(names = "--session-gap-ms", defaultValue = "0",
            description = "Run the jobs with sessions on (sessions.gap.ms), to measure their cost; 0 = off (default: ${DEFAULT-VALUE}).")
    long sessionGapMs;

    @Option(names = "--flink-batch", defaultValue = "64",
            description = "flink.batch.size of the engine flink-heap-batch (default: ${DEFAULT-VALUE}).")
    int flinkBatch;

    @Option(names = "--out", description = "Also append each row to this file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        BenchOptions o = new BenchOptions(engines, models, keys, hidden, cell, layers, events, minEventsPerKey,
                latencyEvents, rate, swapSeconds, exactlyOnce, checkpointMs, parallelism, timeout, out, repeat, warmupEvents, incremental, sessionGapMs, flinkBatch);
        System.out.println(ThroughputBench.header());
        var results = new ThroughputBench(o, System.out).run();
        System.out.println();
        System.out.println(ThroughputBench.header());
        results.forEach(r -> System.out.println(ThroughputBench.row(r)));
        return 0;
    }
}

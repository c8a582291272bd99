package dev.seqpredict.bench;

import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.flink.FlinkStreamEngine;
import dev.seqpredict.flink.PredictFunction;
import dev.seqpredict.kafka.EmbeddedKafka;
import dev.seqpredict.kstreams.PredictionApp;
import dev.seqpredict.metrics.MetricsEndpoint;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.lab.DjlPeerJob;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.DistributionSummary;
import org.apache.flink.core.execution.JobClient;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.model.kernel.Kernels;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyStateCodec;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.ServingModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The throughput harness behind {@code seqpredict bench}: the real jobs (Flink on a MiniCluster with heap or
 * RocksDB state, the Kafka Streams app) on an in-process broker, one run per configuration. Each run:
 * <ol>
 *   <li>publishes the model (version 1) and preloads M events for N keys (event i → key i mod N);</li>
 *   <li>starts the job; <b>throughput</b> = predictions between the 10 % and the 100 % mark / their receive
 *       times (the job drains a full topic, so this is its capacity with the consumer on the same cores; with
 *       exactly-once read uncommitted, as the job writes them: committed output comes a checkpoint or commit at a
 *       time, while the latency and the final counts are read committed);</li>
 *   <li><b>latency</b>: a paced phase; receive time of each prediction − its record timestamp (the event's
 *       send time, copied by both engines);</li>
 *   <li><b>swap</b>: another paced phase, model version 2 published half-way: time to the first prediction
 *       carrying version 2; then every event sent must have one prediction and the DLQ must be empty;</li>
 *   <li><b>state</b>: the KeyStateCodec size of a key that saw the same events (computed with the same
 *       KeyedPredictor), Kafka Streams' stored state of key k0, and for Flink the last completed
 *       checkpoint's bytes per key.</li>
 * </ol>
 */
public final class ThroughputBench {
    static final int INPUT = 8;
    static final String MODEL_NAME = "bench";

    private final BenchOptions o;
    private final PrintStream log;
    private final List<Result> results = new ArrayList<>();

    public record Result(String engine, String model, int keys, int hidden, long events, double eventsPerSec,
                         long p50Ms, long p99Ms, double pacedRate, long swapMs, long sent, long predicted, long dlq,
                         int codecBytes, int rawFloats, int recurrentFloats, int storedBytes, long checkpointBytes,
                         double wallSec, String load, String note) {
    }

    /** The 1-minute load average (Linux), or "?". */
    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    public ThroughputBench(BenchOptions options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    public List<Result> run() throws Exception {
        Path dir = Files.createTempDirectory("seqpredict-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            int run = 0;
            if (o.warmupEvents() > 0) {
                // the first run of a JVM pays for the JIT and class loading: do it once, unreported
                log.println("warm-up run (not reported)");
                BenchOptions w = new BenchOptions(o.engines(), List.of("lstm"), o.keys(), o.hidden(), o.cell(), o.layers(),
                        o.warmupEvents(), 0, 0, o.rate(), 0, o.exactlyOnce(), o.checkpointMs(), o.parallelism(),
                        o.timeoutSeconds(), null, 1, 0, o.incremental(), o.sessionGapMs(), o.flinkBatch());
                new ThroughputBench(w, log).runOne(kafka, dir, 0, o.engines().get(0), "lstm", o.keys().get(0), o.hidden().get(0));
            }
            for (int keys : o.keys()) {
                for (int hidden : o.hidden()) {
                    for (String engine : o.engines()) {
                        for (int rep = 0; rep < o.repeat(); rep++)
                        for (String model : o.models()) {
                            if (engine.equals(DJL_PEER) && model.equals("identity")) {
                                continue; // the peer always steps its DJL block: there is no identity variant
                            }
                            run++;
                            Result r = runOne(kafka, dir, run, engine, model, keys, hidden);
                            results.add(r);
                            log.println(row(r));
                            log.flush();
                            if (o.out() != null) {
                                Files.writeString(o.out(), row(r) + "\n", StandardCharsets.UTF_8,
                                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                            }
                        }
                    }
                }
            }
        } finally {
            deleteTree(dir);
        }
        return results;
    }

    public static String header() {
        return "| engine | model | keys | H | events | events/s | p50 ms | p99 ms | paced ev/s | swap→first v2 ms | sent / predicted / dlq"
                + " | codec B/key | raw floats (B) | ratio | stored B/key | checkpoint B/key | wall s | load | note |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    }

    public static String row(Result r) {
        return String.format(Locale.ROOT, "| %s | %s | %,d | %d | %,d | %,.0f | %d | %d | %,.0f | %s | %,d / %,d / %d | %d | %d (%d) | %.3f | %s | %s | %.0f | %s | %s |",
                r.engine, r.model, r.keys, r.hidden, r.events, r.eventsPerSec, r.p50Ms, r.p99Ms, r.pacedRate,
                r.swapMs < 0 ? "n/a" : Long.toString(r.swapMs), r.sent, r.predicted, r.dlq, r.codecBytes, r.rawFloats,
                4 * r.rawFloats, r.codecBytes / (4.0 * r.rawFloats), r.storedBytes < 0 ? "n/a" : Integer.toString(r.storedBytes),
                r.checkpointBytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", r.checkpointBytes / (double) r.keys),
                r.wallSec, r.load, r.note);
    }

    private Result runOne(EmbeddedKafka kafka, Path dir, int run, String engine, String modelKind, int keys,
                          int hidden) throws Exception {
        long started = System.nanoTime();
        String loadAtStart = load();
        long m = Math.max(o.events(), (long) o.minEventsPerKey() * keys);
        String id = "r" + run + "-" + engine + "-" + modelKind + "-" + System.nanoTime() % 100000;
        log.printf(Locale.ROOT, "%n== run %d: %s, model %s (%s %d→%d×%d), %,d keys, %,d events%n", run, engine, modelKind,
                o.cell(), INPUT, hidden, o.layers(), keys, m);
        String events = "ev-" + id;
        String predictions = "pred-" + id;
        String dlq = "dlq-" + id;
        String models = "models-" + id;
        int partitions = Math.max(1, o.parallelism());
        kafka.createTopics(partitions, events, predictions, dlq);
        kafka.createCompactedTopic(models, 1);

        RecurrentModel v1 = model(CellType.fromId(o.cell()), hidden, o.layers(), "1");
        RecurrentModel v2 = model(CellType.fromId(o.cell()), hidden, o.layers(), "2");
        Kernels.overrideDefaultFactory(modelKind.equals("identity") ? IdentityKernels.INSTANCE : null);
        publish(kafka.bootstrapServers(), models, ModelArtifact.toBytes(v1));

        Properties p = new Properties();
        p.setProperty(JobSettings.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        p.setProperty(JobSettings.EVENTS_TOPIC, events);
        p.setProperty(JobSettings.PREDICTIONS_TOPIC, predictions);
        p.setProperty(JobSettings.DLQ_TOPIC, dlq);
        p.setProperty(JobSettings.MODELS_TOPIC, models);
        p.setProperty(JobSettings.MODEL_NAME, MODEL_NAME);
        if (o.sessionGapMs() > 0) {
            p.setProperty(dev.seqpredict.processor.SessionSettings.GAP, Long.toString(o.sessionGapMs()));
            p.setProperty(dev.seqpredict.processor.SessionSettings.VERDICTS_TOPIC, "verdicts-" + id);
            kafka.createTopics(partitions, "verdicts-" + id);
        }
        JobSettings settings = JobSettings.fromProperties(p);

        long latencyEvents = o.latencyEvents();
        long timeoutMs = o.timeoutSeconds() * 1000;
        Path checkpoints = dir.resolve("chk-" + id);
        String note = "";
        try (EventFeed feed = new EventFeed(kafka.bootstrapServers(), events, keys, INPUT, run)) {
            long t0 = System.nanoTime();
            for (long i = 0; i < m; i++) {
                feed.send();
            }
            feed.flush();
            log.printf(Locale.ROOT, "preloaded %,d events in %.1f s%n", m, (System.nanoTime() - t0) / 1e9);

            long[] marks = {m / 10, m};
            PredictionCounter counter = new PredictionCounter(kafka.bootstrapServers(), predictions, partitions,
                    o.exactlyOnce(), marks, m, m + latencyEvents, "2");
            Thread consumer = new Thread(counter, "bench-consumer");
            consumer.setDaemon(true);
            consumer.start();
            // exactly-once output becomes visible a commit (Flink: a checkpoint) at a time, so a read_committed
            // consumer sees a 300k-event drain in one or two steps; the throughput is read as written instead
            PredictionCounter written = o.exactlyOnce()
                    ? new PredictionCounter(kafka.bootstrapServers(), predictions, partitions, false, marks, 0, 0, "2")
                    : counter;
            if (written != counter) {
                Thread t = new Thread(written, "bench-consumer-uncommitted");
                t.setDaemon(true);
                t.start();
            }
            double[] passesBefore = batchedPasses();
            try (Engine job = start(engine, settings, p, id, checkpoints, ModelArtifact.toBytes(v1))) {
                if (!counter.await(m, timeoutMs)) {
                    throw new IllegalStateException("only " + counter.count() + " of " + m + " predictions after "
                            + o.timeoutSeconds() + " s");
                }
                if (!written.await(m, timeoutMs)) {
                    throw new IllegalStateException("only " + written.count() + " of " + m + " predictions written");
                }
                double eps = (m - m / 10) / ((written.markTime(1) - written.markTime(0)) / 1000.0);
                if (written != counter) {
                    written.close();
                }
                log.printf(Locale.ROOT, "throughput %,.0f events/s%n", eps);
                double[] passesAfter = batchedPasses();
                String batchNote = "";
                if (passesAfter[0] > passesBefore[0]) { // Flink's operator batching ran (seqpredict_batch_events)
                    double passes = passesAfter[0] - passesBefore[0];
                    batchNote = String.format(Locale.ROOT, "%.1f events per batched pass", (passesAfter[1] - passesBefore[1]) / passes);
                    log.printf(Locale.ROOT, "batched passes in the drain: %,.0f, %s%n", passes, batchNote);
                }

                double rate = Math.min(o.rate(), eps / 2);
                long p50 = -1;
                long p99 = -1;
                if (latencyEvents > 0) {
                    feed.paced(latencyEvents, rate, null);
                    if (!counter.await(m + latencyEvents, timeoutMs)) {
                        throw new IllegalStateException("latency phase: predictions missing");
                    }
                    long[] l = counter.sortedLatencies();
                    p50 = l[(int) (0.50 * (l.length - 1))];
                    p99 = l[(int) (0.99 * (l.length - 1))];
                    log.printf(Locale.ROOT, "latency at %,.0f events/s: p50 %d ms, p99 %d ms%n", rate, p50, p99);
                }
                long swapMs = -1;
                if (o.swapSeconds() > 0 && engine.equals(DJL_PEER)) {
                    note = "no swap phase: the DJL peer serves one fixed model";
                } else if (o.swapSeconds() > 0) {
                    long n = (long) (o.swapSeconds() * rate);
                    long[] published = {0, 0};
                    byte[] v2bytes = ModelArtifact.toBytes(v2);
                    counter.watchVersion();
                    try (KafkaProducer<byte[], byte[]> mp = modelProducer(kafka.bootstrapServers())) {
                        mp.partitionsFor(models); // metadata fetched before the clock starts
                        feed.paced(n, rate, () -> {
                            published[0] = System.currentTimeMillis();
                            published[1] = publish(mp, models, v2bytes);
                        });
                    }
                    if (!counter.await(feed.sent(), timeoutMs)) {
                        note = "missing predictions after the swap";
                    }
                    long seen = counter.versionSeenAt();
                    swapMs = seen < 0 ? -1 : seen - published[0];
                    log.printf(Locale.ROOT, "swap: first v2 prediction %d ms after the send of model v2 (broker ack after %d ms)%n",
                            swapMs, published[1] - published[0]);
                }
                if (!batchNote.isEmpty()) {
                    note = note.isEmpty() ? batchNote : note + "; " + batchNote;
                }
                Thread.sleep(500); // anything extra (duplicates) would show up now
                long predicted = counter.count();
                long dead = countRecords(kafka.bootstrapServers(), dlq, partitions, o.exactlyOnce());

                // state size
                KeyState sample = simulate(v1, keys, feed.sent(), o.swapSeconds() > 0 ? v2 : null, settings);
                int codec = KeyStateCodec.toBytes(sample).length;
                // the floats the codec actually writes: recurrent state, last prediction, the filled part of the rewarm buffer
                int raw = sample.recurrentState().length + (sample.lastPrediction() == null ? 0 : sample.lastPrediction().length)
                        + sample.bufferedInputs() * INPUT;
                int stored = job.storedStateBytes("k0");
                long chk = job.checkpointBytes();
                counter.close();
                consumer.join(5000);
                return new Result(engine, modelKind, keys, hidden, m, eps, p50, p99, rate, swapMs, feed.sent(), predicted,
                        dead, codec, raw, sample.recurrentState().length, stored, chk,
                        (System.nanoTime() - started) / 1e9, loadAtStart + "→" + load(), note);
            } finally {
                counter.close();
            }
        } finally {
            Kernels.overrideDefaultFactory(null);
            deleteTree(checkpoints);
        }
    }

    /** The state key k0 ends with after the same events, computed with the job's own per-key logic. */
    private static KeyState simulate(RecurrentModel v1, int keys, long sent, RecurrentModel v2, JobSettings settings) {
        KeyedPredictor predictor = new KeyedPredictor(settings.predictor());
        ServingModel s1 = ServingModel.of(MODEL_NAME, v1);
        ServingModel s2 = v2 == null ? null : ServingModel.of(MODEL_NAME, v2);
        long perKey = (sent + keys - 1) / keys;
        SplittableRandom r = new SplittableRandom(1);
        KeyState state = null;
        for (long i = 0; i < perKey; i++) {
            float[] x = new float[INPUT];
            for (int j = 0; j < INPUT; j++) {
                x[j] = (float) r.nextGaussian();
            }
            Event e = Event.sensor("k0", i, x);
            Outcome out = predictor.process(state, e, s2 != null && i == perKey - 1 ? s2 : s1);
            state = ((Outcome.Predicted) out).state();
        }
        return state;
    }

    private static RecurrentModel model(CellType cell, int hidden, int layers, String version) {
        SplittableRandom rnd = new SplittableRandom(1234);
        float bound = (float) (1.0 / Math.sqrt(hidden));
        List<LayerWeights> ws = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? INPUT : hidden;
            int rows = cell.gates() * hidden;
            ws.add(new LayerWeights(cell, in, hidden, uniform(rnd, rows * in, bound), uniform(rnd, rows * hidden, bound),
                    uniform(rnd, rows, bound), uniform(rnd, rows, bound)));
        }
        ModelSpec spec = ModelSpec.of(cell, INPUT, hidden, layers, Task.REGRESSION, INPUT).withName(MODEL_NAME, version);
        return RecurrentModel.create(spec, ws, uniform(rnd, INPUT * hidden, bound), uniform(rnd, INPUT, bound), null);
    }

    private static float[] uniform(SplittableRandom rnd, int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return a;
    }

    private static void publish(String bootstrap, String topic, byte[] artifact) {
        try (KafkaProducer<byte[], byte[]> producer = modelProducer(bootstrap)) {
            publish(producer, topic, artifact);
        }
    }

    /** Sends the artifact and waits for the broker's ack; returns the ack time. */
    private static long publish(KafkaProducer<byte[], byte[]> producer, String topic, byte[] artifact) {
        try {
            producer.send(new ProducerRecord<>(topic, MODEL_NAME.getBytes(StandardCharsets.UTF_8), artifact)).get();
            return System.currentTimeMillis();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish the model", e);
        }
    }

    private static KafkaProducer<byte[], byte[]> modelProducer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
        return new KafkaProducer<>(p);
    }

    private static long countRecords(String bootstrap, String topic, int partitions, boolean readCommitted) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            long n = 0;
            long quietSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - quietSince < 1500) {
                int got = c.poll(Duration.ofMillis(100)).count();
                if (got > 0) {
                    n += got;
                    quietSince = System.currentTimeMillis();
                }
            }
            return n;
        }
    }

    // ------------------------------------------------------------------ engines

    /** The same Flink job (heap state) with a DJL forward per event in place of the core: {@link DjlPeerJob}. */
    public static final String DJL_PEER = "flink-djl";
    /** Flink, heap state, with operator batching ({@code flink.batch.size} = {@code --flink-batch}). */
    public static final String FLINK_HEAP_BATCH = "flink-heap-batch";
    /** Kafka Streams without the object cache ({@code state.cache.keys=0}): every event through the serdes and the changelog. */
    public static final String KSTREAMS_NO_CACHE = "kstreams-nocache";

    /** Sets {@code to + X} in {@code props} for every system property {@code from + X}. */
    private static void overrideFromSystemProperties(Properties props, String from, String to) {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(from)) {
                props.setProperty(to + name.substring(from.length()), System.getProperty(name));
            }
        }
    }

    private interface Engine extends AutoCloseable {
        /** The stored state of one key in bytes, or -1 when the engine does not expose it. */
        int storedStateBytes(String key);

        /** Bytes of the last completed checkpoint, or -1. */
        long checkpointBytes();

        @Override
        void close() throws Exception;
    }

    /** Count and total of the Flink job's batched passes so far (in-process jobs share the registry). */
    private static double[] batchedPasses() {
        DistributionSummary s = MetricsEndpoint.registry().find("seqpredict.batch.events").tag("engine", PredictFunction.ENGINE).summary();
        return s == null ? new double[2] : new double[] {s.count(), s.totalAmount()};
    }

    private Engine start(String engine, JobSettings settings, Properties base, String id, Path checkpoints, byte[] model)
            throws Exception {
        return switch (engine) {
            case "flink-heap", FLINK_HEAP_BATCH, "flink-rocksdb", DJL_PEER -> {
                Properties f = new Properties();
                // flink-heap-batch batches by --flink-batch; the others run the per-event path (batch 1)
                f.setProperty(FlinkSettings.BATCH_SIZE, engine.equals(FLINK_HEAP_BATCH) ? Integer.toString(o.flinkBatch()) : "1");
                f.setProperty(FlinkSettings.STATE_BACKEND, engine.equals("flink-rocksdb") ? "rocksdb" : "hashmap");
                f.setProperty(FlinkSettings.CHECKPOINT_INTERVAL, Long.toString(o.checkpointMs()));
                f.setProperty(FlinkSettings.CHECKPOINT_DIR, checkpoints.toUri().toString());
                f.setProperty(FlinkSettings.PARALLELISM, Integer.toString(o.parallelism()));
                f.setProperty(FlinkSettings.DELIVERY, o.exactlyOnce() ? "exactly-once" : "at-least-once");
                f.setProperty(FlinkSettings.GROUP_ID, "bench-" + id);
                // full snapshots by default, so a checkpoint's size is the live state (incremental ones keep old SST files)
                f.setProperty(FlinkSettings.CONF_PREFIX + "execution.checkpointing.incremental", Boolean.toString(o.incremental()));
                // -Dbench.flink.X=Y (SEQPREDICT_JAVA_OPTS) sets the job's X, e.g. -Dbench.flink.flink.batch.max-delay-ms=1
                overrideFromSystemProperties(f, "bench.flink.", "");
                AutoCloseable flink;
                if (engine.equals(DJL_PEER)) {
                    f.setProperty(FlinkSettings.TRANSACTIONAL_ID_PREFIX, "bench-djl-" + id);
                    JobClient client = DjlPeerJob.startLocal(settings, FlinkSettings.fromProperties(f), model);
                    flink = () -> client.cancel().get(30, TimeUnit.SECONDS);
                } else {
                    FlinkStreamEngine job = new FlinkStreamEngine(f);
                    job.start(settings);
                    flink = job;
                }
                yield new Engine() {
                    @Override
                    public int storedStateBytes(String key) {
                        return -1;
                    }

                    @Override
                    public long checkpointBytes() {
                        return lastCheckpointBytes(checkpoints);
                    }

                    @Override
                    public void close() throws Exception {
                        flink.close();
                    }
                };
            }
            case "kstreams", KSTREAMS_NO_CACHE -> {
                Path stateDir = Files.createTempDirectory("seqpredict-bench-kstreams");
                Properties k = new Properties();
                k.putAll(base);
                k.setProperty("streams.application.id", "bench-" + id);
                k.setProperty("streams.state.dir", stateDir.toString());
                k.setProperty("streams.processing.guarantee", o.exactlyOnce() ? "exactly_once_v2" : "at_least_once");
                k.setProperty("streams.num.stream.threads", Integer.toString(o.parallelism()));
                k.setProperty("query.http.port", "0");
                if (engine.equals(KSTREAMS_NO_CACHE)) {
                    k.setProperty(PredictionApp.STATE_CACHE_KEYS, "0");
                }
                // -Dbench.kstreams.X=Y (SEQPREDICT_JAVA_OPTS) overrides the app's streams.X, to compare settings
                overrideFromSystemProperties(k, "bench.kstreams.", PredictionApp.STREAMS_PREFIX);
                PredictionApp app = PredictionApp.start(k);
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (app.streams().state() != KafkaStreams.State.RUNNING) {
                    if (System.nanoTime() > deadline || app.streams().state() == KafkaStreams.State.ERROR) {
                        throw new IllegalStateException("Kafka Streams did not reach RUNNING: " + app.streams().state());
                    }
                    Thread.sleep(50);
                }
                yield new Engine() {
                    @Override
                    public int storedStateBytes(String key) {
                        KeyState s = app.keyState(key);
                        return s == null ? -1 : KeyStateCodec.toBytes(s).length;
                    }

                    @Override
                    public long checkpointBytes() {
                        return -1;
                    }

                    @Override
                    public void close() throws IOException {
                        app.close();
                        deleteTree(stateDir);
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown engine '" + engine
                    + "'; expected flink-heap, " + FLINK_HEAP_BATCH + ", flink-rocksdb, kstreams, " + KSTREAMS_NO_CACHE + " or " + DJL_PEER);
        };
    }

    /** Size of the newest completed checkpoint (chk-N with a _metadata file) under the job's checkpoint dir. */
    static long lastCheckpointBytes(Path root) {
        if (!Files.isDirectory(root)) {
            return -1;
        }
        try (Stream<Path> all = Files.walk(root, 2)) {
            Path newest = all.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
                    .max(Comparator.comparingLong(d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .orElse(null);
            if (newest == null) {
                return -1;
            }
            long bytes = 0;
            try (Stream<Path> files = Files.walk(newest)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    bytes += Files.size(f);
                }
            }
            // shared/ holds files of incremental checkpoints; count them too when present
            Path shared = newest.getParent().resolve("shared");
            if (Files.isDirectory(shared)) {
                try (Stream<Path> files = Files.walk(shared)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        bytes += Files.size(f);
                    }
                }
            }
            return bytes;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // temp files: best effort
        }
    }
}

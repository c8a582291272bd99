package dev.seqpredict.demo;

import dev.seqpredict.kafka.EmbeddedKafka;
import dev.seqpredict.metrics.MetricsEndpoint;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.SessionSettings;
import dev.seqpredict.train.EvaluationGate;
import dev.seqpredict.train.KafkaSeriesReader;
import dev.seqpredict.train.SequenceTrainer;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesSet;
import dev.seqpredict.train.Split;
import dev.seqpredict.train.TrainingOptions;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full loop in one process: a Kafka broker, a stream of simulated (or replayed) events, the
 * prediction job on a chosen engine, a retraining loop that publishes a candidate only when it passes
 * the evaluation gate, and a live view of what comes out of the predictions and DLQ topics.
 */
public final class Demo {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    static final String MODEL_NAME = "default";
    /**
     * Live steps at a sensor's start without injected faults: the job learns each key's typical error from its
     * first 20 events (its warm-up) before it can call one a spike.
     */
    static final int QUIET_STEPS = 24;
    /** Share of the simulated sensor readings that carry an injected spike. */
    static final double FAULT_RATE = 0.002;

    /** What to run. */
    public record Options(
            String engine,
            String stream,
            int sensors,
            int historySteps,
            int regimeChangeAfter,
            double stepsPerSecond,
            Duration duration,
            int maxLiveSteps,
            Duration retrainEvery,
            int trainingKeys,
            int hidden,
            int epochs,
            double badRate,
            String bootstrapServers,
            List<Path> replay,
            int metricsPort,
            Path outDir,
            long seed,
            boolean liveView) {
    }

    /** What happened, for the closing summary and for tests. */
    public record Summary(long produced, long producedBad, long producedFaults, long faultsFlagged, long faultsMissed,
                          List<String> missedFaults, long sessionsClosed, long sessionsAnomalous, Map<String, Long> verdictReasons,
                          long[] sessionTruth, long predictions, long deadLetters, Map<String, Long> dlqByReason,
                          Set<String> keysProduced, Set<String> keysPredicted, List<String> versions,
                          Map<String, Double> maeAfterRegimeChange, long swappedKeys, long anomalies,
                          List<String> retrainLog, Path plot, String metricsUrl, Duration elapsed) {
    }

    private final Options o;
    private final PrintStream console;
    private final Function<String, StreamEngine> engines;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile LiveStats liveStats;

    public Demo(Options options, PrintStream console, Function<String, StreamEngine> engines) {
        this.o = options;
        this.console = console;
        this.engines = engines;
    }

    /** Asks a running demo to finish (Ctrl-C does this). */
    public void stop() {
        stopping.set(true);
    }

    /** Predictions seen so far of each model version (empty before the stream starts). */
    /** Sessions closed so far (their verdicts read from the verdicts topic); 0 before the run starts. */
    public long sessionsClosed() {
        LiveStats s = liveStats;
        return s == null ? 0 : s.sessionsClosed.get();
    }

    public Map<String, Long> predictionsByVersion() {
        LiveStats s = liveStats;
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        if (s != null) {
            s.versions().forEach((v, st) -> m.put(v, st.predictions));
        }
        return m;
    }

    /** Runs until the duration, the step limit, {@code extraStop} or {@link #stop()}; then summarizes. */
    public Summary run(BooleanSupplier extraStop) throws Exception {
        long t0 = System.nanoTime();
        EventSource source = source();
        EmbeddedKafka kafka = null;
        StreamEngine engine = null;
        MetricsEndpoint metrics = null;
        Thread consumer = null;
        Thread retrainer = null;
        AtomicBoolean done = new AtomicBoolean();
        try {
            String servers = o.bootstrapServers();
            if (servers == null) {
                say("starting an in-process Kafka broker (KRaft) ...");
                kafka = EmbeddedKafka.start();
                servers = kafka.bootstrapServers();
                kafka.createTopics(2, "events", "predictions");
                kafka.createTopics(1, "events-dlq");
                kafka.createCompactedTopic("models", 1);
            }
            JobSettings settings = JobSettings.defaults(servers);
            if (source.logEvents()) { // an event id no normal session has is the first thing DeepLog flags
                settings = settings.withPredictor(settings.predictor().withUnknownEventAnomaly(true))
                        .withSessions(SessionSettings.gap(sessionGapMs()));
                if (kafka != null) {
                    kafka.createTopics(2, settings.sessions().verdictsTopic());
                }
            }
            metrics = MetricsEndpoint.start("127.0.0.1", o.metricsPort());
            say("metrics on " + metrics.url());

            SeriesSet history = source.history();
            say(String.format(Locale.ROOT, "training the initial model (DJL, %s) on %s ...",
                    source.logEvents() ? "LSTM over event ids" : "LSTM", history.source()));
            RecurrentModel v1 = train(history, 1);
            publish(servers, settings.modelsTopic(), v1);
            AtomicReference<RecurrentModel> current = new AtomicReference<>(v1);
            say("published model " + MODEL_NAME + " v1 (" + v1.spec().cell() + " " + v1.spec().hiddenSize() + " hidden, sha256 "
                    + v1.sha256().substring(0, 12) + "…)");

            engine = engines.apply(o.engine());
            say("starting the " + engine.name() + " job ...");
            engine.start(settings);

            long regimeTs = source.regimeChangeStep() >= 0 ? SensorSource.ts(source.regimeChangeStep()) : Long.MAX_VALUE;
            LiveStats stats = new LiveStats(source.plotKeys(), regimeTs);
            stats.sessionTruth(source::abnormalSession);
            liveStats = stats;
            consumer = startConsumer(servers, settings, stats, done);
            String bootstrap = servers;
            retrainer = startRetrainer(bootstrap, settings, source, current, stats, done);

            produce(servers, settings, source, stats, t0, extraStop);

            say("stopping: waiting for the job to catch up ...");
            long drainUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (stats.predictions.get() + stats.dlq.get() < stats.produced.get() + stats.producedBad.get()
                    && System.nanoTime() < drainUntil) {
                Thread.sleep(200);
            }
            done.set(true);
            retrainer.join(5_000); // a round still training finishes in the background (daemon thread)
            consumer.join(10_000);
            Path plot = null;
            if (!stats.tracks().isEmpty() && stats.tracks().stream().anyMatch(t -> t.size() > 0)) {
                plot = DemoPlot.write(stats.tracks(), o.outDir().resolve("demo-plot.png"),
                        engine.name() + " demo");
            }
            Summary summary = summarize(stats, plot, metrics.url(), Duration.ofNanos(System.nanoTime() - t0), source);
            printSummary(summary);
            return summary;
        } finally {
            done.set(true);
            if (engine != null) {
                try {
                    engine.close();
                } catch (Exception e) {
                    LOG.warn("engine did not stop cleanly: {}", e.toString());
                }
            }
            if (metrics != null) {
                metrics.close();
            }
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    private EventSource source() {
        if (o.replay() != null && !o.replay().isEmpty()) {
            return new ReplaySource(o.replay());
        }
        if ("logs".equals(o.stream())) {
            return new LogSource(o.seed(), 1500, Math.max(1, o.sensors()), 0.02);
        }
        int regime = o.historySteps() + o.regimeChangeAfter();
        return new SensorSource(new SensorSimulator(o.seed(), o.sensors(), regime, FAULT_RATE, o.historySteps() + QUIET_STEPS), o.historySteps(), o.trainingKeys());
    }

    // ---- training and publishing ---------------------------------------------------------------

    private RecurrentModel train(SeriesSet data, int version) {
        boolean logs = data.task() == Task.CLASSIFICATION;
        // logs: windows shorter than the shortest workflow (5 events), so that no session is skipped as too
        // short and every event id of the normal sessions is in the vocabulary
        TrainingOptions t = new TrainingOptions(CellType.LSTM, o.hidden(), 1, logs ? 4 : 24, logs ? 1 : 2, o.epochs(), 64,
                0.01f, o.seed() + version, null, 0.2, logs ? Split.KEYS : Split.TAIL, true, 9, 1.0f, MODEL_NAME,
                Integer.toString(version));
        try (SequenceTrainer trainer = new SequenceTrainer(t)) {
            return trainer.train(data, new PrintWriter(Writer.nullWriter())).model();
        }
    }

    static void publish(String servers, String topic, RecurrentModel model) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, MODEL_NAME, ModelArtifact.toBytes(model))).get();
        }
    }

    /**
     * Every {@code retrainEvery}: read the most recent history from the events topic (the records the job
     * would accept), train a candidate on the older three quarters of each key's window, and publish it
     * only if it is at least as good as the current model on the newest quarter.
     */
    private Thread startRetrainer(String servers, JobSettings settings, EventSource source,
                                  AtomicReference<RecurrentModel> current, LiveStats stats, AtomicBoolean done) {
        Thread t = new Thread(() -> {
            int version = 1;
            int round = 0;
            while (!done.get()) {
                try {
                    Thread.sleep(o.retrainEvery().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                round++;
                long start = System.nanoTime();
                try {
                    boolean logs = source.logEvents();
                    long recent = (long) Math.max(1, o.sensors()) * o.historySteps();
                    SeriesSet all = KafkaSeriesReader.read(new KafkaSeriesReader.Request(servers, settings.eventsTopic(),
                            recent, null, null, logs ? Task.CLASSIFICATION : Task.REGRESSION, Duration.ofSeconds(30)));
                    SeriesSet[] parts = logs ? splitSessions(judgedNormal(all, stats)) : splitTail(all, o.trainingKeys());
                    if (done.get()) {
                        return;
                    }
                    RecurrentModel candidate = train(parts[0], version + 1);
                    SeriesSet gateData = logs ? readableByBoth(parts[1], candidate, current.get()) : parts[1];
                    EvaluationGate.Decision d = new EvaluationGate(0.02, 9).decide(candidate, current.get(), gateData);
                    String line = String.format(Locale.ROOT, "#%d at %s: %s -> %s (%.1f s)", round, clock(stats),
                            d.reason(), d.accepted() ? "published v" + (version + 1) : "kept v" + version,
                            (System.nanoTime() - start) / 1e9);
                    if (d.accepted()) {
                        version++;
                        publish(servers, settings.modelsTopic(), candidate);
                        current.set(candidate);
                    }
                    stats.retrained(line);
                    LOG.info("retraining {}", line);
                } catch (Exception e) {
                    if (done.get()) {
                        return;
                    }
                    stats.retrained("#" + round + ": failed: " + e.getMessage());
                    LOG.warn("retraining round {} failed", round, e);
                }
            }
        }, "seqpredict-demo-retrain");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private long startNanos = System.nanoTime();

    private String clock(LiveStats stats) {
        long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
        return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    /** Keyed streams: train on the first 3/4 of each (bounded number of) key's recent window, gate on the rest. */
    private static SeriesSet[] splitTail(SeriesSet all, int maxKeys) {
        List<Series> train = new ArrayList<>();
        List<Series> gate = new ArrayList<>();
        for (Series s : all.series()) {
            if (train.size() >= maxKeys) {
                break;
            }
            int n = s.length();
            int cut = (int) (n * 0.75);
            if (cut < 30 || n - cut < 10) {
                continue;
            }
            train.add(new Series(s.key(), Arrays.copyOfRange(s.ts(), 0, cut), Arrays.copyOfRange(s.values(), 0, cut), null));
            gate.add(new Series(s.key(), Arrays.copyOfRange(s.ts(), cut, n), Arrays.copyOfRange(s.values(), cut, n), null));
        }
        if (train.isEmpty()) {
            throw new IllegalStateException("not enough recent history per key yet");
        }
        return new SeriesSet[] {
                new SeriesSet(all.task(), all.featureNames(), train, "recent history"),
                new SeriesSet(all.task(), all.featureNames(), gate, "newest quarter")};
    }

    /**
     * The sessions whose every event id both models know. The stream carries ids no model has seen (the
     * job predicts them as anomalies); a model cannot be scored on an id outside its vocabulary, so the
     * gate compares the two on the sessions both can read.
     */
    static SeriesSet readableByBoth(SeriesSet sessions, RecurrentModel a, RecurrentModel b) {
        List<Series> kept = new ArrayList<>();
        for (Series s : sessions.series()) {
            boolean readable = true;
            for (String e : s.events()) {
                readable &= a.eventIndex(e) >= 0 && b.eventIndex(e) >= 0;
            }
            if (readable) {
                kept.add(s);
            }
        }
        return new SeriesSet(sessions.task(), sessions.featureNames(), kept, sessions.source() + ", sessions both models can read",
                sessions.sessions());
    }

    /**
     * The sessions the job has closed and judged normal: DeepLog learns from normal sessions only, and a session
     * still open (or judged anomalous) would teach the model its deviation or an early end.
     */
    static SeriesSet judgedNormal(SeriesSet all, LiveStats stats) {
        List<Series> kept = new ArrayList<>();
        for (Series s : all.series()) {
            if (stats.judgedNormal(s.key())) {
                kept.add(s);
            }
        }
        if (kept.size() < 20) {
            throw new IllegalStateException("only " + kept.size() + " of " + all.series().size()
                    + " recent sessions closed and judged normal yet: nothing to retrain on");
        }
        return new SeriesSet(all.task(), all.featureNames(), kept, "recent sessions judged normal", true);
    }

    /** Sessions: train on the older 3/4 of the recent sessions, gate on the newest quarter. */
    private static SeriesSet[] splitSessions(SeriesSet all) {
        int cut = (int) (all.series().size() * 0.75);
        return new SeriesSet[] {
                new SeriesSet(all.task(), all.featureNames(), all.series().subList(0, cut), all.source(), all.sessions()),
                new SeriesSet(all.task(), all.featureNames(), all.series().subList(cut, all.series().size()),
                        all.source() + " (newest)", all.sessions())};
    }

    /**
     * The demo's session gap (record time, wall clock): ten steps of silence, at least half a second, so a
     * session is closed a few steps after its last event.
     */
    long sessionGapMs() {
        return Math.max(500, Math.round(10_000 / o.stepsPerSecond()));
    }

    // ---- the stream ----------------------------------------------------------------------------

    private void produce(String servers, JobSettings settings, EventSource source, LiveStats stats, long t0,
                         BooleanSupplier extraStop) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Random bad = new Random(o.seed() ^ 0xBAD);
        String[] kinds = source.logEvents()
                // (not an unknown event id: the logs stream predicts those as anomalies)
                ? new String[] {"not json", "{\"ts\":%d,\"values\":[1.5]}", "{\"ts\":%d,\"event\":true}", "{\"event\":3}"}
                : new String[] {"not json", "{\"ts\":%d,\"values\":[NaN]}", "{\"ts\":%d,\"values\":[1,2,3]}",
                        "{\"ts\":%d,\"values\":[\"12.5\"]}", "{\"values\":[1]}"};
        ConsoleView view = new ConsoleView(console, o, stats, t0, source.logEvents());
        startNanos = t0;
        long deadline = t0 + o.duration().toNanos();
        double stepNanos = 1e9 / o.stepsPerSecond();
        long streamStart = System.nanoTime();
        int first = source.firstLiveStep();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int step = first; ; step++) {
                int live = step - first;
                if (stopping.get() || System.nanoTime() > deadline || (o.maxLiveSteps() > 0 && live >= o.maxLiveSteps())
                        || extraStop.getAsBoolean()) {
                    break;
                }
                List<EventSource.Emitted> events = source.step(step);
                if (events.isEmpty()) {
                    break;
                }
                for (EventSource.Emitted e : events) {
                    if (stats.plotted(e.key())) {
                        stats.sent(e.key(), e.ts(), e.value());
                    }
                    producer.send(new ProducerRecord<>(settings.eventsTopic(), e.key(), e.json()));
                    stats.produced(e.key(), e.ts(), e.fault());
                    if (bad.nextDouble() < o.badRate()) {
                        String kind = kinds[bad.nextInt(kinds.length)];
                        producer.send(new ProducerRecord<>(settings.eventsTopic(), e.key(), String.format(Locale.ROOT, kind, e.ts())));
                        stats.producedBad.incrementAndGet();
                    }
                }
                view.maybeRender(false);
                long target = streamStart + (long) ((live + 1) * stepNanos);
                long wait = target - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
        }
        view.maybeRender(true);
    }

    private Thread startConsumer(String servers, JobSettings settings, LiveStats stats, AtomicBoolean done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Thread t = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
                List<TopicPartition> parts = new ArrayList<>();
                List<String> topics = new ArrayList<>(List.of(settings.predictionsTopic(), settings.deadLetterTopic()));
                if (settings.sessions().enabled()) {
                    topics.add(settings.sessions().verdictsTopic());
                }
                for (String topic : topics) {
                    c.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                }
                c.assign(parts);
                c.seekToBeginning(parts);
                while (!done.get()) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(settings.predictionsTopic())) {
                            stats.prediction(r.key(), r.value());
                        } else if (r.topic().equals(settings.sessions().verdictsTopic())) {
                            stats.verdict(r.key(), r.value());
                        } else {
                            stats.deadLetter(r.headers());
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("demo consumer stopped: {}", e.toString());
            }
        }, "seqpredict-demo-consumer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ---- output --------------------------------------------------------------------------------

    private void say(String line) {
        console.println(line);
        console.flush();
    }

    private Summary summarize(LiveStats stats, Path plot, String metricsUrl, Duration elapsed, EventSource source) {
        Map<String, Double> after = new java.util.LinkedHashMap<>();
        List<String> versions = new ArrayList<>();
        stats.versions().forEach((v, s) -> {
            versions.add(v);
            after.put(v, s.maeAfterChange());
        });
        return new Summary(stats.produced.get(), stats.producedBad.get(), stats.producedFaults.get(),
                stats.faultsFlagged.get(), stats.faultsMissed.get(), stats.missedFaults(), stats.sessionsClosed.get(),
                stats.sessionsAnomalous.get(), stats.verdictReasons(), stats.sessionTruth(), stats.predictions.get(),
                stats.dlq.get(), stats.dlqByReason(), stats.producedKeys(), stats.keys(), versions, after, stats.swappedKeys.get(),
                stats.anomalies.get(), stats.retrainLog(), plot, metricsUrl, elapsed);
    }

    private void printSummary(Summary s) {
        say("");
        say("summary");
        say(String.format(Locale.ROOT, "  events sent        %,d good + %,d bad in %.0f s", s.produced(), s.producedBad(),
                s.elapsed().toMillis() / 1000.0));
        if (o.stream().equals("logs") && s.producedFaults() > 0) {
            say(String.format(Locale.ROOT, "                     (%,d good ones carry an event id no normal session has:"
                    + " a model that never saw it predicts it as an anomaly, the first thing DeepLog flags;"
                    + " a model retrained on the stream may have learned it)", s.producedFaults()));
        }
        say(String.format(Locale.ROOT, "  predictions        %,d for %,d keys", s.predictions(), s.keysPredicted().size()));
        say(String.format(Locale.ROOT, "  dead letters       %,d %s", s.deadLetters(), s.dlqByReason()));
        say(String.format(Locale.ROOT, "  anomalies flagged  %,d", s.anomalies()));
        if (s.sessionsClosed() > 0) {
            long[] t = s.sessionTruth();
            say(String.format(Locale.ROOT, "  session verdicts   %,d sessions closed by a %d ms gap, %,d anomalous %s;"
                            + " the simulator's deviating sessions (skipped, out-of-order or unseen steps, logs that stop early):"
                            + " %,d of %,d flagged, normal ones: %,d of %,d flagged", s.sessionsClosed(), sessionGapMs(),
                    s.sessionsAnomalous(), s.verdictReasons(), t[0], t[1], t[2], t[3]));
        }
        if (s.producedFaults() > 0) {
            say(String.format(Locale.ROOT, "  injected faults    %,d of %,d judged flagged within 2 events%s", s.faultsFlagged(),
                    s.faultsFlagged() + s.faultsMissed(), s.missedFaults().isEmpty() ? "" : "; missed " + s.missedFaults()));
        }
        say("  model versions     " + s.versions() + ", keys swapped: " + s.swappedKeys());
        s.maeAfterRegimeChange().forEach((v, mae) -> {
            if (!mae.isNaN()) {
                say(String.format(Locale.ROOT, "  v%-4s MAE after the regime change: %.3f", v, mae));
            }
        });
        s.retrainLog().forEach(l -> say("  retraining " + l));
        if (s.plot() != null) {
            say("  plot               " + s.plot().toAbsolutePath());
        }
    }
}

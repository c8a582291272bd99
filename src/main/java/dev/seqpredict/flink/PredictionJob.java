package dev.seqpredict.flink;

import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.SessionSettings;
import java.time.Duration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink prediction job:
 * <pre>
 *   events (KafkaSource) ──keyBy(entity id)──┐
 *                                            ├─ PredictFunction ──▶ predictions (KafkaSink)
 *   models (KafkaSource) ──broadcast─────────┘         ├─ dead letters ──▶ DLQ (KafkaSink, headers)
 *                                                      └─ verdicts ──▶ verdicts (KafkaSink; sessions on)
 * </pre>
 * With sessions on ({@code sessions.gap.ms} &gt; 0) the events carry watermarks (bounded out-of-orderness
 * {@code sessions.out.of.orderness.ms} over the records' Kafka timestamps, idle partitions after
 * {@code sessions.idle.ms}) and the models stream's watermark is the maximum, so the session timers follow the
 * events' event time; with sessions off there are no watermarks, as before.
 * Sources and sinks are given from outside, so tests can plug in others; {@link #kafka} wires the real
 * ones. Run on a cluster with {@code flink run seqpredict-flink-job.jar job.properties [key=value ...]},
 * or in-process with {@link #startLocal}.
 */
public final class PredictionJob {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionJob.class);

    private final JobSettings settings;
    private final FlinkSettings flink;
    private final Source<EventRecord, ?, ?> events;
    private final Source<ModelRecord, ?, ?> models;
    private final Sink<PredictionRecord> predictions;
    private final Sink<DeadLetterRecord> deadLetters;
    private final Sink<VerdictRecord> verdicts;

    public PredictionJob(JobSettings settings, FlinkSettings flink,
                         Source<EventRecord, ?, ?> events, Source<ModelRecord, ?, ?> models,
                         Sink<PredictionRecord> predictions, Sink<DeadLetterRecord> deadLetters) {
        this(settings, flink, events, models, predictions, deadLetters, null);
    }

    /** As above, with the sink of the session verdicts (used when sessions are on; required then). */
    public PredictionJob(JobSettings settings, FlinkSettings flink,
                         Source<EventRecord, ?, ?> events, Source<ModelRecord, ?, ?> models,
                         Sink<PredictionRecord> predictions, Sink<DeadLetterRecord> deadLetters,
                         Sink<VerdictRecord> verdicts) {
        if (settings.sessions().enabled() && verdicts == null) {
            throw new IllegalArgumentException("sessions are on: the job needs a verdicts sink");
        }
        this.verdicts = verdicts;
        this.settings = settings;
        this.flink = flink;
        this.events = events;
        this.models = models;
        this.predictions = predictions;
        this.deadLetters = deadLetters;
    }

    /** The job on the Kafka topics named in the settings. */
    public static PredictionJob kafka(JobSettings settings, FlinkSettings flink) {
        settings.modelVerifier(); // fail here, not in every task, when the trusted keys cannot be read
        return new PredictionJob(settings, flink, eventsSource(settings, flink), modelsSource(settings, flink),
                predictionsSink(settings, flink), deadLetterSink(settings, flink),
                settings.sessions().enabled() ? verdictsSink(settings, flink) : null);
    }

    /** Builds the dataflow on {@code env}: sources → {@link #pipeline} → sinks. */
    public void build(StreamExecutionEnvironment env) {
        build(env, UnaryOperator.identity());
    }

    /**
     * As {@link #build(StreamExecutionEnvironment)}, with {@code beforeKeyBy} applied to the events stream
     * between the source and the keyBy (tests use it to inject a failure).
     */
    public void build(StreamExecutionEnvironment env, UnaryOperator<DataStream<EventRecord>> beforeKeyBy) {
        DataStream<EventRecord> in = beforeKeyBy.apply(
                env.fromSource(events, eventWatermarks(settings.sessions()), "events").uid("events-source"));
        DataStream<ModelRecord> modelStream = env.fromSource(models, modelWatermarks(settings.sessions()), "models")
                .uid("models-source").setParallelism(1);
        SingleOutputStreamOperator<PredictionRecord> out = pipeline(in, modelStream, settings, flink.stateTtlMs(), flink.holdMs(), flink.holdMaxEventsPerKey(),
                flink.metricsHost(), flink.metricsPort(), flink.batchSize(), flink.batchMaxDelayMs());
        out.sinkTo(predictions).name("predictions").uid("predictions-sink");
        out.getSideOutput(PredictFunction.DEAD_LETTERS).sinkTo(deadLetters).name("dead-letters").uid("dlq-sink");
        if (settings.sessions().enabled()) {
            out.getSideOutput(PredictFunction.VERDICTS).sinkTo(verdicts).name("verdicts").uid("verdicts-sink");
        }
    }

    /** The events' watermarks: none with sessions off; bounded out-of-orderness (and idleness) with them on. */
    public static WatermarkStrategy<EventRecord> eventWatermarks(SessionSettings s) {
        if (!s.enabled()) {
            return WatermarkStrategy.noWatermarks();
        }
        WatermarkStrategy<EventRecord> w = WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(s.outOfOrdernessMs()));
        return s.idleMs() > 0 ? w.withIdleness(Duration.ofMillis(s.idleMs())) : w;
    }

    /** The models stream's watermarks: none with sessions off; the maximum with them on ({@link MaxWatermarks}). */
    public static WatermarkStrategy<ModelRecord> modelWatermarks(SessionSettings s) {
        return s.enabled() ? WatermarkStrategy.forGenerator(ctx -> new MaxWatermarks<>()) : WatermarkStrategy.noWatermarks();
    }

    /**
     * The pipeline between sources and sinks: key the events by entity id, connect the broadcast models
     * and run {@link PredictFunction}. The dead letters are its {@link PredictFunction#DEAD_LETTERS} side output.
     */
    public static SingleOutputStreamOperator<PredictionRecord> pipeline(DataStream<EventRecord> events,
                                                                       DataStream<ModelRecord> models,
                                                                       JobSettings settings, long stateTtlMs,
                                                                       long holdMs) {
        return pipeline(events, models, settings, stateTtlMs, holdMs, FlinkSettings.DEFAULT_HOLD_MAX_EVENTS, "127.0.0.1", -1);
    }

    /** As above; each TaskManager also serves {@code /metrics} on {@code metricsHost:metricsPort} (port -1: none). */
    public static SingleOutputStreamOperator<PredictionRecord> pipeline(DataStream<EventRecord> events,
                                                                       DataStream<ModelRecord> models,
                                                                       JobSettings settings, long stateTtlMs,
                                                                       long holdMs, int holdMaxEventsPerKey,
                                                                       String metricsHost, int metricsPort) {
        return pipeline(events, models, settings, stateTtlMs, holdMs, holdMaxEventsPerKey, metricsHost, metricsPort,
                FlinkSettings.DEFAULT_BATCH_SIZE, FlinkSettings.DEFAULT_BATCH_MAX_DELAY_MS);
    }

    /**
     * As above, with operator batching when {@code batchSize} &gt; 1 and sessions are off
     * ({@link BatchingPredictOperator}: the same function, state and uid, in an operator that steps the buffered
     * events of many keys in one pass).
     */
    public static SingleOutputStreamOperator<PredictionRecord> pipeline(DataStream<EventRecord> events,
                                                                       DataStream<ModelRecord> models,
                                                                       JobSettings settings, long stateTtlMs,
                                                                       long holdMs, int holdMaxEventsPerKey,
                                                                       String metricsHost, int metricsPort,
                                                                       int batchSize, long batchMaxDelayMs) {
        PredictFunction function = new PredictFunction(settings, stateTtlMs, holdMs, holdMaxEventsPerKey)
                .withMetricsEndpoint(metricsHost, metricsPort);
        if (batchSize > 1 && !settings.sessions().enabled()) {
            // the keyed broadcast operator, built as BroadcastConnectedStream.process would, with batching
            return events.keyBy(new EntityKey())
                    .connect(models.broadcast())
                    .transform("predict", TypeInformation.of(PredictionRecord.class),
                            new BatchingPredictOperator(function, batchSize, batchMaxDelayMs))
                    .name("predict").uid("predict");
        }
        BroadcastStream<ModelRecord> broadcast = models.broadcast(PredictFunction.MODELS);
        return events.keyBy(new EntityKey())
                .connect(broadcast)
                .process(function, TypeInformation.of(PredictionRecord.class))
                .name("predict").uid("predict");
    }

    /** Partitions by the record key (the entity id); records without one share the key "" and are dead-lettered. */
    public static final class EntityKey implements KeySelector<EventRecord, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(EventRecord r) {
            return r.partitionKey();
        }
    }

    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.execute(flink.jobName());
    }

    public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync(flink.jobName());
    }

    /**
     * The environment of the context (the cluster under {@code flink run} or application mode, else a
     * local one) with the job-level settings the properties name; the cluster's configuration decides
     * the rest. Exactly-once output needs checkpoints: when none are configured anywhere, they are
     * turned on every {@value FlinkSettings#DEFAULT_CHECKPOINT_INTERVAL_MS} ms.
     */
    public static StreamExecutionEnvironment environment(FlinkSettings flink) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink.toConfiguration());
        if (flink.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE && !env.getCheckpointConfig().isCheckpointingEnabled()) {
            LOG.warn("no checkpointing configured; exactly-once output needs it: checkpointing every {} ms",
                    FlinkSettings.DEFAULT_CHECKPOINT_INTERVAL_MS);
            env.enableCheckpointing(FlinkSettings.DEFAULT_CHECKPOINT_INTERVAL_MS);
        }
        return env;
    }

    /**
     * Starts the job in this JVM on a MiniCluster ({@link FlinkSettings#withLocalDefaults()} for what the
     * settings leave unset); cancel it through the returned client.
     */
    public JobClient startLocal() throws Exception {
        FlinkSettings local = flink.withLocalDefaults();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                local.parallelism() > 0 ? local.parallelism() : 1, local.toConfiguration());
        return executeAsync(env);
    }

    // ---------------------------------------------------------------- Kafka sources and sinks

    private static Properties kafkaProperties(JobSettings settings) {
        Properties p = new Properties();
        settings.kafka().forEach(p::setProperty);
        return p;
    }

    public static KafkaSource<EventRecord> eventsSource(JobSettings settings, FlinkSettings flink) {
        Properties p = kafkaProperties(settings);
        p.putIfAbsent("isolation.level", "read_committed");
        return KafkaSource.<EventRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.eventsTopic())
                .setGroupId(flink.groupId())
                .setClientIdPrefix(flink.groupId() + "-events")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new EventRecordDeserializer())
                .setProperties(p)
                .build();
    }

    /** The models topic, always from the beginning (it is compacted); the broadcast state makes replays no-ops. */
    public static KafkaSource<ModelRecord> modelsSource(JobSettings settings, FlinkSettings flink) {
        Properties p = kafkaProperties(settings);
        p.putIfAbsent("isolation.level", "read_committed");
        return KafkaSource.<ModelRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.modelsTopic())
                .setGroupId(flink.groupId() + "-models")
                .setClientIdPrefix(flink.groupId() + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelRecordDeserializer())
                .setProperties(p)
                .build();
    }

    private static Properties producerProperties(JobSettings settings, FlinkSettings flink) {
        Properties p = kafkaProperties(settings);
        p.setProperty("transaction.timeout.ms", Long.toString(flink.transactionTimeoutMs()));
        return p;
    }

    public static KafkaSink<PredictionRecord> predictionsSink(JobSettings settings, FlinkSettings flink) {
        return KafkaSink.<PredictionRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(new PredictionSerializer(settings.predictionsTopic()))
                .setDeliveryGuarantee(flink.deliveryGuarantee())
                .setTransactionalIdPrefix(flink.transactionalIdPrefix() + "-predictions")
                .setKafkaProducerConfig(producerProperties(settings, flink))
                .build();
    }

    public static KafkaSink<VerdictRecord> verdictsSink(JobSettings settings, FlinkSettings flink) {
        return KafkaSink.<VerdictRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(new VerdictSerializer(settings.verdictsTopic()))
                .setDeliveryGuarantee(flink.deliveryGuarantee())
                .setTransactionalIdPrefix(flink.transactionalIdPrefix() + "-verdicts")
                .setKafkaProducerConfig(producerProperties(settings, flink))
                .build();
    }

    public static KafkaSink<DeadLetterRecord> deadLetterSink(JobSettings settings, FlinkSettings flink) {
        return KafkaSink.<DeadLetterRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(new DeadLetterSerializer(settings.deadLetterTopic()))
                .setDeliveryGuarantee(flink.deliveryGuarantee())
                .setTransactionalIdPrefix(flink.transactionalIdPrefix() + "-dlq")
                .setKafkaProducerConfig(producerProperties(settings, flink))
                .build();
    }

    // ---------------------------------------------------------------- command line

    /**
     * Reads properties from the arguments, in order: a path (or {@code --config PATH}) is a properties
     * file, {@code key=value} (or {@code --key value}) overrides one setting.
     */
    public static Properties readArgs(String[] args) throws IOException {
        Properties p = new Properties();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config") && i + 1 < args.length) {
                load(Path.of(args[++i]), p);
            } else if (a.startsWith("--config=")) {
                load(Path.of(a.substring("--config=".length())), p);
            } else if (a.startsWith("--") && !a.contains("=") && i + 1 < args.length) {
                p.setProperty(a.substring(2), args[++i]);
            } else if (a.contains("=")) {
                String kv = a.startsWith("--") ? a.substring(2) : a;
                int eq = kv.indexOf('=');
                p.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
            } else {
                load(Path.of(a), p);
            }
        }
        return p;
    }

    private static void load(Path file, Properties into) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Properties f = new Properties();
            f.load(in);
            for (Map.Entry<Object, Object> e : f.entrySet()) {
                into.setProperty(e.getKey().toString(), e.getValue().toString());
            }
        }
    }

    /** {@code flink run seqpredict-flink-job.jar [--config] job.properties [key=value ...]}. */
    public static void main(String[] args) throws Exception {
        Properties p = readArgs(args);
        JobSettings settings = JobSettings.fromProperties(p);
        FlinkSettings flink = FlinkSettings.fromProperties(p);
        PredictionJob.kafka(settings, flink).execute(environment(flink));
    }
}

package dev.seqpredict.kstreams;

import dev.seqpredict.metrics.MetricsEndpoint;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.ModelRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams prediction application: {@code main(propertiesFile)} for deployment,
 * {@link #start(Properties)} to run it in-process (demo, tests).
 *
 * <p>Configuration, one properties file:
 * <ul>
 * <li>the shared {@link JobSettings} keys ({@code bootstrap.servers}, {@code topic.*}, {@code model.*},
 *     {@code swap.*}, {@code predict.*}, {@code anomaly.threshold}, {@code limits.*}) and the
 *     {@code kafka.*} client passthrough, exactly as for the Flink job;</li>
 * <li>{@code streams.*}: Kafka Streams' own settings, prefix stripped, applied last (e.g.
 *     {@code streams.application.id}, {@code streams.state.dir}, {@code streams.num.standby.replicas},
 *     {@code streams.num.stream.threads}, {@code streams.processing.guarantee},
 *     {@code streams.commit.interval.ms});</li>
 * <li>{@code query.http.host} (default 127.0.0.1), {@code query.http.port} (default 7070; 0 = any free
 *     port, -1 = no HTTP endpoint), {@code shutdown.timeout.ms} (default 30000), {@code state.ttl.ms} (default 0 =
 *     keys never expire), {@code state.cache.keys} (default 10000 per task; 0 = off, see {@link ObjectCacheStore}).</li>
 * </ul>
 * Defaults that differ from Kafka Streams': {@code application.id=seqpredict-kstreams},
 * {@code processing.guarantee=exactly_once_v2}, and the exception handlers of {@link ExceptionHandlers}.
 */
public final class PredictionApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PredictionApp.class);

    /** The {@code engine} tag of this application's metrics. */
    public static final String ENGINE = "kstreams";
    public static final String DEFAULT_APPLICATION_ID = "seqpredict-kstreams";
    public static final String STREAMS_PREFIX = "streams.";
    public static final String HTTP_HOST = "query.http.host";
    public static final String HTTP_PORT = "query.http.port";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    /** A key idle for longer than this (in record timestamps, stream time) loses its state; 0 = never. */
    public static final String STATE_TTL_MS = "state.ttl.ms";
    /**
     * Keys per task whose latest state (and open session) stay Java objects between commits, written to the stores
     * and their changelogs only at a commit or on eviction ({@link ObjectCacheStore}); 0 = off.
     */
    public static final String STATE_CACHE_KEYS = "state.cache.keys";

    private final JobSettings settings;
    private final StreamMetrics metrics;
    private final KafkaStreams streams;
    private final KeyQueryServer http;
    private final Duration shutdownTimeout;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final KafkaStreamsMetrics kafkaMetrics;
    private volatile boolean failed;

    private PredictionApp(Properties props, ModelRegistry.ArtifactVerifier verifier) throws IOException {
        this.settings = JobSettings.fromProperties(props);
        this.metrics = new StreamMetrics(MetricsEndpoint.registry(), ENGINE);
        metrics.expectModel(settings.defaultModel());
        this.shutdownTimeout = Duration.ofMillis(Long.parseLong(props.getProperty(SHUTDOWN_TIMEOUT_MS, "30000").trim()));
        long ttlMs = Long.parseLong(props.getProperty(STATE_TTL_MS, "0").trim());
        if (ttlMs < 0) {
            throw new IllegalArgumentException(STATE_TTL_MS + " must be ≥ 0, got " + ttlMs);
        }
        int cachedKeys = Integer.parseInt(props.getProperty(STATE_CACHE_KEYS, Integer.toString(PredictionTopology.DEFAULT_CACHED_KEYS)).trim());
        this.streams = new KafkaStreams(PredictionTopology.build(settings, metrics, verifier, Duration.ofMillis(ttlMs), cachedKeys),
                streamsConfig(props, settings, metrics));
        streams.setUncaughtExceptionHandler(ExceptionHandlers.uncaught());
        // Kafka Streams' own figures (consumer lag, commit rates, ...) next to ours, as kafka_* meters
        this.kafkaMetrics = new KafkaStreamsMetrics(streams, Tags.of("engine", ENGINE));
        kafkaMetrics.bindTo(MetricsEndpoint.registry());
        streams.setStateListener((now, before) -> {
            LOG.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR) {
                failed = true;
            }
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        int port = Integer.parseInt(props.getProperty(HTTP_PORT, "7070").trim());
        KeyQueryServer server = null;
        if (port >= 0) {
            try {
                server = new KeyQueryServer(props.getProperty(HTTP_HOST, "127.0.0.1"), port, this::keyState, MetricsEndpoint.registry()::scrape);
            } catch (IOException e) {
                streams.close(Duration.ZERO);
                throw e;
            }
        }
        this.http = server;
    }

    /** Builds, starts (asynchronously: see {@link #streams()}.state()) and returns the application. */
    public static PredictionApp start(Properties props) throws IOException {
        // verification as configured: on when models.trusted.keys is set (or models.verify=true)
        return start(props, JobSettings.fromProperties(props).modelVerifier());
    }

    /** As {@link #start(Properties)}, with a check every model artifact must pass (e.g. a signature). */
    public static PredictionApp start(Properties props, ModelRegistry.ArtifactVerifier verifier) throws IOException {
        PredictionApp app = new PredictionApp(props, verifier);
        app.streams.start();
        LOG.info("seqpredict on Kafka Streams: {} -> {} (DLQ {}), models from {}, swap policy {}",
                app.settings.eventsTopic(), app.settings.predictionsTopic(), app.settings.deadLetterTopic(),
                app.settings.modelsTopic(), app.settings.predictor().swapPolicy().id());
        return app;
    }

    /** The Kafka Streams configuration for a properties file (see the class comment). */
    public static Properties streamsConfig(Properties props, JobSettings settings, StreamMetrics metrics) {
        Properties c = new Properties();
        c.put(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        c.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        c.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ExceptionHandlers.Deserialization.class);
        c.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ExceptionHandlers.Processing.class);
        c.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ExceptionHandlers.Production.class);
        c.putAll(settings.kafka()); // kafka.* client passthrough (security, ...)
        c.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith(STREAMS_PREFIX)) {
                c.put(name.substring(STREAMS_PREFIX.length()), props.getProperty(name));
            }
        }
        c.put(ExceptionHandlers.EVENTS_TOPIC_CONFIG, settings.eventsTopic());
        c.put(ExceptionHandlers.DLQ_TOPIC_CONFIG, settings.deadLetterTopic());
        c.put(ExceptionHandlers.MAX_EVENT_BYTES_CONFIG, Integer.toString(settings.maxEventBytes()));
        c.put(ExceptionHandlers.MAX_KEY_BYTES_CONFIG, Integer.toString(settings.maxKeyBytes()));
        if (metrics != null) {
            c.put(ExceptionHandlers.METRICS_CONFIG, metrics);
        }
        return c;
    }

    /** A key's state from the local store (interactive query), or null when this instance has none. */
    public KeyState keyState(String key) {
        ReadOnlyKeyValueStore<String, KeyState> store = streams.store(
                StoreQueryParameters.fromNameAndType(PredictionTopology.STATE_STORE, QueryableStoreTypes.keyValueStore()));
        return store.get(key);
    }

    public KafkaStreams streams() {
        return streams;
    }

    public StreamMetrics metrics() {
        return metrics;
    }

    public JobSettings settings() {
        return settings;
    }

    /** The address the HTTP query endpoint is bound to, or null when it is off. */
    public java.net.InetSocketAddress httpAddress() {
        return http == null ? null : http.address();
    }

    /** The HTTP query port, or -1 when the endpoint is off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** Blocks until the client stopped; true when it stopped because of an error. */
    public boolean awaitStop() throws InterruptedException {
        stopped.await();
        return failed;
    }

    /** Graceful shutdown: commit, close, and leave the consumer group so partitions move at once. */
    @Override
    public void close() {
        close(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
    }

    /**
     * Closes with the given group operation; {@code REMAIN_IN_GROUP} is what a crashed or restarting
     * static member does (its partitions wait for the session timeout).
     */
    public void close(CloseOptions.GroupMembershipOperation membership) {
        if (http != null) {
            http.close();
        }
        kafkaMetrics.close();
        boolean done = streams.close(CloseOptions.groupMembershipOperation(membership).withTimeout(shutdownTimeout));
        if (!done) {
            LOG.warn("Kafka Streams did not close within {}", shutdownTimeout);
        }
    }

    public static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    public static void main(String[] args) throws Exception {
        String file = args.length == 1 ? args[0] : args.length == 2 && args[0].equals("--config") ? args[1] : null;
        if (file == null) {
            System.err.println("usage: PredictionApp [--config] <job.properties>");
            System.exit(2);
        }
        Properties props = load(Path.of(file));
        MetricsEndpoint.startIfConfigured(props); // metrics.host / metrics.port, for Prometheus and probes
        PredictionApp app = start(props);
        Thread hook = new Thread(app::close, "seqpredict-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean failed = app.awaitStop();
        if (failed) {
            LOG.error("Kafka Streams stopped with an error; exiting 1");
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
            app.close();
            System.exit(1);
        }
    }
}

package dev.seqpredict.kstreams;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeySession;
import dev.seqpredict.processor.KeySessionCodec;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.ModelRegistry;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * The Kafka Streams topology, built by {@link #build} alone (configuration lives in
 * {@link PredictionApp}):
 * <pre>
 *   events (byte[] key, byte[] value)
 *     └─ predict ── PredictProcessor, state store "seqpredict-key-state"
 *          │         (persistent RocksDB, changelogged, timestamped with each key's last record
 *          │          timestamp; String → KeyState via KeyStateCodec; keys idle longer than the
 *          │          state TTL in stream time are deleted; the latest states of up to 10k keys per task
 *          │          are kept as objects between commits by ObjectCacheStore)
 *          ├─ predictions  key = entity id, value = PredictionJson
 *          ├─ DLQ          original key/value bytes + seqpredict.* headers
 *          └─ verdicts     (sessions on) key = entity id, value = SessionJson; stores "seqpredict-sessions"
 *                          and "seqpredict-session-deadlines" (changelogged)
 *
 *   models (compacted; String name → artifact bytes)
 *     └─ global store "seqpredict-models" ── ModelStoreProcessor (validates; stores only accepted bytes)
 * </pre>
 */
public final class PredictionTopology {
    public static final String STATE_STORE = "seqpredict-key-state";
    public static final String MODEL_STORE = "seqpredict-models";
    /** Sessions on: key → its open session ({@link dev.seqpredict.processor.KeySessionCodec} bytes). */
    public static final String SESSION_STORE = "seqpredict-sessions";
    /** Sessions on: (deadline, key) → nothing; the index the punctuation range-scans. */
    public static final String SESSION_DEADLINES = "seqpredict-session-deadlines";
    static final String VERDICTS_SINK = "verdicts-sink";
    static final String EVENTS_SOURCE = "events-source";
    static final String MODELS_SOURCE = "models-source";
    static final String MODELS_PROCESSOR = "models-update";
    static final String PREDICT = "predict";
    static final String PREDICTIONS_SINK = "predictions-sink";
    static final String DLQ_SINK = "dlq-sink";

    /** An open session as {@link KeySessionCodec} bytes; a corrupt value fails with a {@link SerializationException}. */
    static final Serde<KeySession> SESSION_SERDE = Serdes.serdeFrom(
            (topic, session) -> session == null ? null : KeySessionCodec.toBytes(session),
            (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                try {
                    return KeySessionCodec.fromBytes(bytes);
                } catch (RuntimeException e) {
                    throw new SerializationException("corrupt open session (" + bytes.length + " bytes): " + e.getMessage(), e);
                }
            });

    private PredictionTopology() {
    }

    /** Keys per task whose state {@link ObjectCacheStore} keeps as objects between commits, unless configured. */
    public static final int DEFAULT_CACHED_KEYS = 10_000;

    /** The topology with model verification as the settings configure it; keys never expire. */
    public static Topology build(JobSettings settings, StreamMetrics metrics) {
        return build(settings, metrics, settings.modelVerifier(), Duration.ZERO);
    }

    /** {@link #build(JobSettings, StreamMetrics, ModelRegistry.ArtifactVerifier, Duration, int)} with the default cache. */
    public static Topology build(JobSettings settings, StreamMetrics metrics, ModelRegistry.ArtifactVerifier verifier,
                                 Duration stateTtl) {
        return build(settings, metrics, verifier, stateTtl, DEFAULT_CACHED_KEYS);
    }

    /**
     * @param stateTtl a key whose last record is older than this in stream time (the largest record
     *                 timestamp the task has seen) loses its state; zero = never
     * @param cachedKeys keys per task (and store) kept as objects between commits ({@link ObjectCacheStore});
     *                   0 = none: every event reads and writes the stores (and the changelog) through their serdes
     */
    public static Topology build(JobSettings settings, StreamMetrics metrics, ModelRegistry.ArtifactVerifier verifier,
                                 Duration stateTtl, int cachedKeys) {
        if (cachedKeys < 0) {
            throw new IllegalArgumentException(PredictionApp.STATE_CACHE_KEYS + " must be ≥ 0, got " + cachedKeys);
        }
        ModelCatalog catalog = new ModelCatalog();
        Topology t = new Topology();
        t.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MODEL_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(), // a global store's changelog is its source topic
                MODELS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), settings.modelsTopic(),
                MODELS_PROCESSOR, () -> new ModelStoreProcessor(settings, verifier, catalog, metrics));

        t.addSource(EVENTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.eventsTopic());
        t.addProcessor(PREDICT, () -> new PredictProcessor(settings, verifier, catalog, metrics, stateTtl), EVENTS_SOURCE);
        StoreBuilder<TimestampedKeyValueStore<String, KeyState>> states = Stores.timestampedKeyValueStoreBuilder(
                Stores.persistentTimestampedKeyValueStore(STATE_STORE), Serdes.String(), new KeyStateSerde());
        if (cachedKeys == 0) {
            t.addStateStore(states, PREDICT);
        } else {
            t.addStateStore(ObjectCacheStore.Builder.timestamped(states, KeyState::copy, cachedKeys), PREDICT);
        }
        t.addSink(PREDICTIONS_SINK, settings.predictionsTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PREDICT);
        t.addSink(DLQ_SINK, settings.deadLetterTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PREDICT);
        if (settings.sessions().enabled()) {
            StoreBuilder<KeyValueStore<String, KeySession>> open = Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(SESSION_STORE), Serdes.String(), SESSION_SERDE);
            if (cachedKeys == 0) {
                t.addStateStore(open, PREDICT);
            } else {
                t.addStateStore(ObjectCacheStore.Builder.of(open, KeySession::copy, cachedKeys), PREDICT);
            }
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_DEADLINES),
                    Serdes.Bytes(), Serdes.ByteArray()), PREDICT);
            t.addSink(VERDICTS_SINK, settings.verdictsTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PREDICT);
        }
        return t;
    }
}

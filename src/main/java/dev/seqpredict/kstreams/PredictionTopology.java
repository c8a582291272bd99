package dev.seqpredict.kstreams;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.ModelRegistry;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams topology, built by {@link #build} alone (configuration lives in
 * {@link PredictionApp}):
 * <pre>
 *   events (byte[] key, byte[] value)
 *     └─ predict ── PredictProcessor, state store "seqpredict-key-state"
 *          │         (persistent RocksDB, changelogged, timestamped with each key's last record
 *          │          timestamp; String → KeyState via KeyStateCodec; keys idle longer than the
 *          │          state TTL in stream time are deleted)
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

    private PredictionTopology() {
    }

    /** The topology with model verification as the settings configure it; keys never expire. */
    public static Topology build(JobSettings settings, StreamMetrics metrics) {
        return build(settings, metrics, settings.modelVerifier(), Duration.ZERO);
    }

    /**
     * @param stateTtl a key whose last record is older than this in stream time (the largest record
     *                 timestamp the task has seen) loses its state; zero = never
     */
    public static Topology build(JobSettings settings, StreamMetrics metrics, ModelRegistry.ArtifactVerifier verifier,
                                 Duration stateTtl) {
        ModelCatalog catalog = new ModelCatalog();
        Topology t = new Topology();
        t.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MODEL_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(), // a global store's changelog is its source topic
                MODELS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), settings.modelsTopic(),
                MODELS_PROCESSOR, () -> new ModelStoreProcessor(settings, verifier, catalog, metrics));

        t.addSource(EVENTS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.eventsTopic());
        t.addProcessor(PREDICT, () -> new PredictProcessor(settings, verifier, catalog, metrics, stateTtl), EVENTS_SOURCE);
        t.addStateStore(Stores.timestampedKeyValueStoreBuilder(Stores.persistentTimestampedKeyValueStore(STATE_STORE),
                Serdes.String(), new KeyStateSerde()), PREDICT);
        t.addSink(PREDICTIONS_SINK, settings.predictionsTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PREDICT);
        t.addSink(DLQ_SINK, settings.deadLetterTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PREDICT);
        if (settings.sessions().enabled()) {
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_STORE),
                    Serdes.String(), Serdes.ByteArray()), PREDICT);
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_DEADLINES),
                    Serdes.Bytes(), Serdes.ByteArray()), PREDICT);
            t.addSink(VERDICTS_SINK, settings.verdictsTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PREDICT);
        }
        return t;
    }
}

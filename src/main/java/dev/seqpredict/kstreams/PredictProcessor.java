package dev.seqpredict.kstreams;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.processor.ClosedSession;
import dev.seqpredict.processor.DeadLetter;
import dev.seqpredict.processor.KeySession;
import dev.seqpredict.processor.KeySessionCodec;
import dev.seqpredict.processor.KeySessions;
import dev.seqpredict.processor.ServingModel;
import dev.seqpredict.processor.SessionJson;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.PublishedModel;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.Prediction;
import dev.seqpredict.processor.PredictionJson;
import dev.seqpredict.processor.Rejection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-event step: parse, select the model, run {@link KeyedPredictor#process} against the key's
 * stored {@link KeyState}, then either store the new state and forward the prediction to the
 * predictions sink, or forward the original record (same key and value bytes, plus the
 * {@link DeadLetter} headers) to the DLQ sink with the key's state untouched.
 *
 * <p>The models it serves live in a transient {@link ModelRegistry}, rebuilt from the global model
 * store whenever the {@link ModelCatalog} generation moved: artifacts whose bytes changed (by SHA-256)
 * are offered again, names gone from the store are withdrawn. A swap reaches each key lazily, on its
 * next event (the predictor applies the swap policy then).
 *
 * <p>The stores are {@link ObjectCacheStore}s by default: a key's state and open session stay objects between
 * commits and reach the changelog once per commit, not once per event.
 *
 * <p>With a state TTL, a stream-time punctuation deletes the keys whose last record timestamp is older
 * than the TTL (stream time: deterministic on replay, so exactly-once runs expire the same keys).
 *
 * <p>With sessions on ({@code sessions.gap.ms} &gt; 0) each event goes through {@link KeySessions#process} instead;
 * a key's open session lives in {@link PredictionTopology#SESSION_STORE} ({@link KeySessionCodec} bytes) and one
 * index entry per session in the store {@link PredictionTopology#SESSION_DEADLINES}, keyed by event time then key,
 * so the stream-time punctuation ({@code sessions.check.ms}) reads only the entries that are due (a range scan), not
 * every key. Deadlines are lazy ({@link KeySessions#expire}): the entry is written when the session opens (at its
 * first deadline) and moved to the real deadline (last record timestamp + gap) only when it comes due early, so an
 * event that continues a session does not touch the index. An entry written by an earlier release (always at the
 * real deadline) works the same; a stale one is dropped (the session's own entry is still there). Verdicts go to the verdicts sink; the stores and sinks are in the task's
 * transaction, so exactly-once covers them.
 */
final class PredictProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(PredictProcessor.class);

    private final JobSettings settings;
    private final ModelRegistry.ArtifactVerifier verifier;
    private final ModelCatalog catalog;
    private final StreamMetrics metrics;
    private final EventParser parser;
    private final KeyedPredictor predictor;

    private ProcessorContext<byte[], byte[]> context;
    private final Duration stateTtl;
    private TimestampedKeyValueStore<String, KeyState> states;
    private final KeySessions sessions; // null: sessions off
    private KeyValueStore<String, KeySession> sessionStore;
    private KeyValueStore<Bytes, byte[]> deadlines;
    private static final byte[] EMPTY = new byte[0];
    private KeyValueStore<String, byte[]> modelStore;
    private ModelRegistry registry;
    private final Map<String, Long> loadedDigests = new HashMap<>();
    private long seenGeneration = -1;

    PredictProcessor(JobSettings settings, ModelRegistry.ArtifactVerifier verifier, ModelCatalog catalog, StreamMetrics metrics,
                     Duration stateTtl) {
        this.settings = settings;
        this.stateTtl = stateTtl;
        this.verifier = verifier;
        this.catalog = catalog;
        this.metrics = metrics;
        this.parser = settings.newParser();
        this.predictor = new KeyedPredictor(settings.predictor());
        this.sessions = KeySessions.of(settings);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.states = context.getStateStore(PredictionTopology.STATE_STORE);
        this.modelStore = context.getStateStore(PredictionTopology.MODEL_STORE);
        this.registry = settings.newRegistry(verifier);
        syncModels();
        if (sessions != null) {
            sessionStore = context.getStateStore(PredictionTopology.SESSION_STORE);
            deadlines = context.getStateStore(PredictionTopology.SESSION_DEADLINES);
            context.schedule(Duration.ofMillis(sessions.settings().checkIntervalMs()), PunctuationType.STREAM_TIME,
                    this::closeDueSessions);
        }
        if (!stateTtl.isZero()) {
            // a quarter of the TTL, between 1 s and 1 min: keys live at most ~1.25 TTL, the scans stay rare
            long every = Math.min(60_000, Math.max(1_000, stateTtl.toMillis() / 4));
            context.schedule(Duration.ofMillis(every), PunctuationType.STREAM_TIME, this::expireIdleKeys);
        }
    }

    /** Deletes the keys whose last record is older than the TTL at this stream time. */
    void expireIdleKeys(long streamTime) {
        long cutoff = streamTime - stateTtl.toMillis();
        List<String> idle = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<KeyState>> it = states.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (kv.value.timestamp() < cutoff) {
                    idle.add(kv.key);
                }
            }
        }
        for (String key : idle) {
            states.delete(key);
        }
        if (!idle.isEmpty()) {
            metrics.keysExpired(idle.size());
            LOG.debug("task {}: {} keys idle for more than {} expired", context.taskId(), idle.size(), stateTtl);
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.eventIn();
        syncModels();
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        EventParser.Result parsed = parser.parse(key, record.value());
        if (!parsed.ok()) {
            deadLetter(record, parsed.rejection());
            return;
        }
        Event event = parsed.event();
        ValueAndTimestamp<KeyState> stored = states.get(key);
        KeyState state = stored == null ? null : stored.value();
        if (sessions != null) {
            processInSession(record, key, event, stored);
            return;
        }
        long t0 = System.nanoTime();
        Outcome outcome = predictor.process(state, event, registry.select(event));
        long stepNanos = System.nanoTime() - t0;
        if (outcome instanceof Outcome.Predicted p) {
            // the key's last record timestamp, for the TTL (stream time never goes back, a late record's may)
            states.put(key, ValueAndTimestamp.make(p.state(),
                    stored == null ? record.timestamp() : Math.max(stored.timestamp(), record.timestamp())));
            Prediction prediction = p.prediction();
            if (state == null) {
                metrics.keyCreated();
            }
            metrics.predicted(prediction, p.state(), stepNanos);
            context.forward(new Record<>(record.key(), PredictionJson.toBytes(prediction), record.timestamp(), new RecordHeaders()),
                    PredictionTopology.PREDICTIONS_SINK);
        } else {
            deadLetter(record, ((Outcome.Rejected) outcome).rejection());
        }
    }

    /** The sessions' step: {@link KeySessions#process}, then store, move the deadline and forward what it says. */
    private void processInSession(Record<byte[], byte[]> record, String key, Event event, ValueAndTimestamp<KeyState> stored) {
        KeyState state = stored == null ? null : stored.value();
        KeySession open = sessionStore.get(key);
        ServingModel model = registry.select(event);
        long t0 = System.nanoTime();
        KeySessions.Step step = sessions.process(state, open, event, record.timestamp(), model, registry);
        long stepNanos = System.nanoTime() - t0;
        for (ClosedSession c : step.closed()) {
            verdict(c);
        }
        if (step.state() == null) {
            if (stored != null) {
                states.delete(key);
            }
        } else if (step.outcome() instanceof Outcome.Predicted) {
            boolean same = stored != null && step.state() == state;
            states.put(key, ValueAndTimestamp.make(step.state(),
                    same ? Math.max(stored.timestamp(), record.timestamp()) : record.timestamp()));
        }
        if (step.disarm() != KeySessions.NO_TIMER) {
            deadlines.delete(deadlineKey(step.disarm(), key));
        }
        if (step.arm() != KeySessions.NO_TIMER) {
            deadlines.put(deadlineKey(step.arm(), key), EMPTY);
        }
        KeySession next = step.session();
        metrics.sessionsOpen((next != null ? 1 : 0) - (open != null ? 1 : 0));
        if (next != null) {
            sessionStore.put(key, next);
        } else if (open != null) {
            sessionStore.delete(key);
        }
        if (step.outcome() instanceof Outcome.Predicted p) {
            if (state == null) {
                metrics.keyCreated();
            }
            metrics.predicted(p.prediction(), p.state(), stepNanos);
            context.forward(new Record<>(record.key(), PredictionJson.toBytes(p.prediction()), record.timestamp(), new RecordHeaders()),
                    PredictionTopology.PREDICTIONS_SINK);
        } else if (step.outcome() instanceof Outcome.Rejected r) {
            deadLetter(record, r.rejection());
        }
    }

    /**
     * Closes the sessions whose deadline this stream time has reached: a range scan of the deadline index up to it,
     * so the cost is the number of sessions due, not of open ones.
     */
    void closeDueSessions(long streamTime) {
        List<Bytes> due = new ArrayList<>();
        long upper = streamTime == Long.MAX_VALUE ? Long.MAX_VALUE : streamTime + 1;
        try (KeyValueIterator<Bytes, byte[]> it = deadlines.range(deadlineKey(Long.MIN_VALUE, ""), deadlineKey(upper, ""))) {
            while (it.hasNext()) {
                due.add(it.next().key);
            }
        }
        for (Bytes entry : due) {
            long deadline = ByteBuffer.wrap(entry.get(), 0, 8).getLong() ^ Long.MIN_VALUE;
            if (deadline > streamTime) {
                continue; // only reachable at streamTime = MAX
            }
            String key = new String(entry.get(), 8, entry.get().length - 8, StandardCharsets.UTF_8);
            deadlines.delete(entry);
            KeySession open = sessionStore.get(key);
            if (open == null) {
                continue;
            }
            ValueAndTimestamp<KeyState> stored = states.get(key);
            KeySessions.Expiry e = sessions.expire(key, stored == null ? null : stored.value(), open, deadline, streamTime,
                    registry);
            if (e == null) {
                continue; // a stale entry: the session's own entry is still in the index
            }
            if (e.closed() != null) {
                verdict(e.closed());
                states.delete(key);
                sessionStore.delete(key);
                metrics.sessionsOpen(-1);
                if (e.disarm() != KeySessions.NO_TIMER) {
                    deadlines.delete(deadlineKey(e.disarm(), key));
                }
            } else { // the session had events since the entry was written: its real deadline is later
                sessionStore.put(key, open);
                deadlines.put(deadlineKey(e.rearm(), key), EMPTY);
            }
        }
    }

    /** The index key: the deadline (sign bit flipped, big-endian: byte order = numeric order), then the key's UTF-8. */
    static Bytes deadlineKey(long deadline, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + k.length).putLong(deadline ^ Long.MIN_VALUE).put(k).array());
    }

    private void verdict(ClosedSession c) {
        metrics.sessionClosed(c);
        context.forward(new Record<>(c.key().getBytes(StandardCharsets.UTF_8), SessionJson.toBytes(c), c.lastTs(), new RecordHeaders()),
                PredictionTopology.VERDICTS_SINK);
    }

    private void deadLetter(Record<byte[], byte[]> record, Rejection rejection) {
        metrics.deadLetter(rejection.reason());
        RecordMetadata meta = context.recordMetadata().orElse(null);
        DeadLetter.Payload payload = DeadLetter.Payload.of(record.key(), record.value(), settings.maxKeyBytes(), settings.maxEventBytes());
        Headers headers = deadLetterHeaders(record.headers(), rejection.reason().id(), rejection.detail(),
                meta == null ? null : meta.topic(), meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(),
                payload, settings.maxEventBytes());
        context.forward(new Record<>(payload.key(), payload.value(), record.timestamp(), headers), PredictionTopology.DLQ_SINK);
    }

    /**
     * The original headers (minus any earlier seqpredict.* ones, and only while their bytes stay within
     * {@code headerBudget}) plus the {@link DeadLetter} headers, with the original sizes of a cut payload.
     */
    static Headers deadLetterHeaders(Headers original, String reason, String detail, String topic, int partition, long offset,
                                     DeadLetter.Payload payload, int headerBudget) {
        RecordHeaders h = new RecordHeaders();
        int used = 0;
        int dropped = 0;
        if (original != null) {
            for (Header x : original) {
                if (x.key().startsWith("seqpredict.")) {
                    continue;
                }
                int size = x.key().length() + (x.value() == null ? 0 : x.value().length);
                if (used + size <= headerBudget) {
                    h.add(x);
                    used += size;
                } else {
                    dropped++;
                }
            }
        }
        if (dropped > 0) {
            h.add(DeadLetter.HEADERS_DROPPED, Integer.toString(dropped).getBytes(StandardCharsets.UTF_8));
        }
        payload.cutHeaders().forEach(h::add);
        h.add(DeadLetter.REASON, reason.getBytes(StandardCharsets.UTF_8));
        h.add(DeadLetter.DETAIL, DeadLetter.detailBytes(detail));
        if (topic != null) {
            h.add(DeadLetter.SOURCE_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
            h.add(DeadLetter.SOURCE_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
            h.add(DeadLetter.SOURCE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        }
        return h;
    }

    /** Brings the registry in line with the global model store when the catalog says it changed. */
    private void syncModels() {
        long generation = catalog.generation();
        if (generation == seenGeneration) {
            return;
        }
        seenGeneration = generation; // read before the store: a later change bumps it again
        Set<String> present = new HashSet<>();
        try (KeyValueIterator<String, byte[]> it = modelStore.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                present.add(kv.key);
                long digest = digest(kv.value);
                Long loaded = loadedDigests.get(kv.key);
                if (loaded == null || loaded != digest) {
                    loadedDigests.put(kv.key, digest);
                    ModelRegistry.Update u = registry.offer(PublishedModel.decode(kv.key, kv.value));
                    if (u instanceof ModelRegistry.Update.Rejected r) {
                        // only reachable if the store holds bytes the global processor did not validate
                        LOG.warn("model '{}' in the model store rejected ({}): {}", kv.key, r.reason(), r.detail());
                    } else if (u instanceof ModelRegistry.Update.Accepted a) {
                        LOG.info("task {} serves model '{}' v{}", context.taskId(), kv.key, a.model().version());
                    }
                }
            }
        }
        for (var it = loadedDigests.keySet().iterator(); it.hasNext(); ) {
            String name = it.next();
            if (!present.contains(name)) {
                it.remove();
                registry.forget(name); // the global processor already verified the withdrawal
                LOG.info("task {} no longer serves model '{}'", context.taskId(), name);
            }
        }
    }

    private static long digest(byte[] bytes) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes)).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

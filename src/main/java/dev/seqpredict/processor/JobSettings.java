package dev.seqpredict.processor;

import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.security.SignatureFormatException;
import dev.seqpredict.security.SignatureVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The settings both engines share, with the same property names, so a deployment can switch engine
 * without changing anything around it. Engine-specific settings (checkpointing, state backend, Kafka
 * Streams' own properties) live with each engine; Kafka client settings pass through under
 * {@code kafka.} (e.g. {@code kafka.security.protocol}).
 */
public record JobSettings(
        String bootstrapServers,
        String eventsTopic,
        String predictionsTopic,
        String deadLetterTopic,
        String modelsTopic,
        String defaultModel,
        ModelSelection selection,
        PredictorConfig predictor,
        int maxEventBytes,
        int maxKeyBytes,
        long maxModelBytes,
        Map<String, String> kafka,
        Boolean verifyModels,
        List<String> trustedKeys,
        SessionSettings sessions) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String EVENTS_TOPIC = "topic.events";
    public static final String PREDICTIONS_TOPIC = "topic.predictions";
    public static final String DLQ_TOPIC = "topic.dlq";
    public static final String MODELS_TOPIC = "topic.models";
    public static final String MODEL_NAME = "model.name";
    public static final String MODEL_SELECTION = "model.selection";
    public static final String SWAP_POLICY = "swap.policy";
    public static final String REWARM_WINDOW = "swap.rewarm.window";
    public static final String TOP_K = "predict.top.k";
    public static final String TOP_G = "predict.top.g";
    public static final String ANOMALY_THRESHOLD = "anomaly.threshold";
    /** {@code dead-letter} (default) or {@code anomaly}: what a log event id outside the model's vocabulary becomes. */
    public static final String UNKNOWN_EVENT = "predict.unknown.event";
    /** Events after an alarm whose score is capped (see {@link PredictorConfig#suppressEvents()}). */
    public static final String ANOMALY_SUPPRESS = "anomaly.suppress.events";
    /** Sensor streams: a forecast error of more than this many typical errors scores 1 (0 = off). */
    public static final String ANOMALY_SPIKE_FACTOR = "anomaly.spike.factor";
    /** Sensor streams: the range check's margin, a fraction of the key's seen range (0 = off). */
    public static final String ANOMALY_RANGE_MARGIN = "anomaly.range.margin";
    /** Sensor streams: the season compared against, in milliseconds (0 = off). */
    public static final String ANOMALY_SEASON_MS = "anomaly.season.ms";
    /** Sensor streams: seasons a key keeps (7 with a day: also the value a week earlier; 1 = one season). */
    public static final String ANOMALY_SEASON_CYCLES = "anomaly.season.cycles";
    /** Sensor streams: events a season's pattern may shift before it is surprising (0 = the exact point only). */
    public static final String ANOMALY_SEASON_JITTER = "anomaly.season.jitter";
    /** Sensor streams: the forecast blend's weight of the newest error (0 = off, the model's forecast as it is). */
    public static final String BLEND_ALPHA = "predict.blend.alpha";
    public static final String MAX_EVENT_BYTES = "limits.event.bytes";
    /** Longest record key (the entity id) in UTF-8 bytes; a longer one is rejected as oversized. */
    public static final String MAX_KEY_BYTES = "limits.key.bytes";
    public static final String MAX_MODEL_BYTES = "limits.model.bytes";
    /** {@code true|false}; unset = on exactly when {@link #TRUSTED_KEYS} is set. */
    public static final String VERIFY_MODELS = "models.verify";
    /** Comma-separated PEM public key files and/or directories of {@code *.pem} files. */
    public static final String TRUSTED_KEYS = "models.trusted.keys";

    /**
     * @param verifyModels whether published models must carry a valid signature by a trusted key: true, false,
     *                     or null to decide by whether trusted keys are configured
     * @param trustedKeys  PEM public key files and directories of them (read when the verifier is built)
     */
    public JobSettings {
        sessions = sessions == null ? SessionSettings.OFF : sessions;
        kafka = Map.copyOf(kafka == null ? Map.of() : kafka);
        trustedKeys = trustedKeys == null ? List.of() : List.copyOf(trustedKeys);
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException(MAX_EVENT_BYTES + " must be at least 1, got " + maxEventBytes);
        }
        if (maxKeyBytes < 1) {
            throw new IllegalArgumentException(MAX_KEY_BYTES + " must be at least 1, got " + maxKeyBytes);
        }
        if (maxModelBytes < 1 || maxModelBytes > ModelArtifact.MAX_ARRAY_BYTES) {
            throw new IllegalArgumentException(MAX_MODEL_BYTES + " must be in 1.." + ModelArtifact.MAX_ARRAY_BYTES
                    + ", got " + maxModelBytes);
        }
        if (Boolean.TRUE.equals(verifyModels) && trustedKeys.isEmpty()) {
            throw new IllegalArgumentException(VERIFY_MODELS + "=true needs " + TRUSTED_KEYS
                    + " (PEM public key files or directories): no model could ever be accepted");
        }
    }

    /** The settings with sessions off. */
    public JobSettings(String bootstrapServers, String eventsTopic, String predictionsTopic, String deadLetterTopic,
                       String modelsTopic, String defaultModel, ModelSelection selection, PredictorConfig predictor,
                       int maxEventBytes, int maxKeyBytes, long maxModelBytes, Map<String, String> kafka,
                       Boolean verifyModels, List<String> trustedKeys) {
        this(bootstrapServers, eventsTopic, predictionsTopic, deadLetterTopic, modelsTopic, defaultModel, selection,
                predictor, maxEventBytes, maxKeyBytes, maxModelBytes, kafka, verifyModels, trustedKeys, SessionSettings.OFF);
    }

    /** The settings without model verification options (verification decided by trusted keys: none, so off). */
    public JobSettings(String bootstrapServers, String eventsTopic, String predictionsTopic, String deadLetterTopic,
                       String modelsTopic, String defaultModel, ModelSelection selection, PredictorConfig predictor,
                       int maxEventBytes, long maxModelBytes, Map<String, String> kafka) {
        this(bootstrapServers, eventsTopic, predictionsTopic, deadLetterTopic, modelsTopic, defaultModel, selection,
                predictor, maxEventBytes, EventParser.DEFAULT_MAX_KEY_BYTES, maxModelBytes, kafka, null, List.of());
    }

    /** Whether published models must be signed by a trusted key. */
    public boolean modelVerification() {
        return verifyModels != null ? verifyModels : !trustedKeys.isEmpty();
    }

    /**
     * The verifier for the models topic: signature checking against the trusted keys when
     * {@link #modelVerification()} is on (the key files are read now), otherwise accept-all.
     *
     * @throws IllegalArgumentException when a trusted key file is missing or is not an Ed25519 public key
     */
    public ModelRegistry.ArtifactVerifier modelVerifier() {
        if (!modelVerification()) {
            return ModelRegistry.ArtifactVerifier.ACCEPT_ALL;
        }
        List<Path> paths = new ArrayList<>();
        trustedKeys.forEach(k -> paths.add(Path.of(k)));
        try {
            return new SignedModelVerifier(SignatureVerifier.fromPaths(paths));
        } catch (IOException | SignatureFormatException e) {
            throw new IllegalArgumentException(TRUSTED_KEYS + ": " + e.getMessage(), e);
        }
    }

    /** A registry with the configured verifier ({@link #modelVerifier()}). */
    public ModelRegistry newRegistry() {
        return newRegistry(modelVerifier());
    }

    public static JobSettings defaults(String bootstrapServers) {
        return new JobSettings(bootstrapServers, "events", "predictions", "events-dlq", "models", "default",
                ModelSelection.SINGLE, PredictorConfig.DEFAULTS, EventParser.DEFAULT_MAX_EVENT_BYTES,
                ModelArtifact.DEFAULT_MAX_BYTES, Map.of());
    }

    /** Reads the settings from properties (e.g. a file or job arguments); unknown keys are ignored. */
    public static JobSettings fromProperties(Properties p) {
        JobSettings d = defaults(p.getProperty(BOOTSTRAP_SERVERS, "localhost:9092"));
        PredictorConfig pc = d.predictor();
        pc = new PredictorConfig(
                p.containsKey(SWAP_POLICY) ? SwapPolicy.fromId(p.getProperty(SWAP_POLICY)) : pc.swapPolicy(),
                intProp(p, REWARM_WINDOW, pc.rewarmWindow()),
                intProp(p, TOP_K, pc.topK()),
                intProp(p, TOP_G, pc.topG()),
                Double.parseDouble(p.getProperty(ANOMALY_THRESHOLD, Double.toString(pc.anomalyThreshold()))),
                pc.warmupEvents(), pc.shortWindow(), pc.longWindow(),
                intProp(p, ANOMALY_SUPPRESS, pc.suppressEvents()),
                unknownEventAnomaly(p.getProperty(UNKNOWN_EVENT, "dead-letter")));
        SensorScoring sc = pc.sensorScoring();
        pc = pc.withSensorScoring(sc
                .withSpikeFactor(Double.parseDouble(p.getProperty(ANOMALY_SPIKE_FACTOR, Double.toString(sc.spikeFactor()))))
                .withRangeMargin(Double.parseDouble(p.getProperty(ANOMALY_RANGE_MARGIN, Double.toString(sc.rangeMargin()))))
                .withSeason(Long.parseLong(p.getProperty(ANOMALY_SEASON_MS, Long.toString(sc.seasonMillis()))),
                        sc.maxSeasonEvents())
                .withSeasonCycles(intProp(p, ANOMALY_SEASON_CYCLES, sc.seasonCycles()))
                .withSeasonJitter(intProp(p, ANOMALY_SEASON_JITTER, sc.seasonJitter()))
                .withBlendAlpha(Double.parseDouble(p.getProperty(BLEND_ALPHA, Double.toString(sc.blendAlpha())))));
        Map<String, String> kafka = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("kafka.")) {
                kafka.put(name.substring("kafka.".length()), p.getProperty(name));
            }
        }
        return new JobSettings(d.bootstrapServers(),
                p.getProperty(EVENTS_TOPIC, d.eventsTopic()),
                p.getProperty(PREDICTIONS_TOPIC, d.predictionsTopic()),
                p.getProperty(DLQ_TOPIC, d.deadLetterTopic()),
                p.getProperty(MODELS_TOPIC, d.modelsTopic()),
                p.getProperty(MODEL_NAME, d.defaultModel()),
                p.containsKey(MODEL_SELECTION) ? ModelSelection.fromId(p.getProperty(MODEL_SELECTION)) : d.selection(),
                pc,
                intProp(p, MAX_EVENT_BYTES, d.maxEventBytes()),
                intProp(p, MAX_KEY_BYTES, d.maxKeyBytes()),
                longProp(p, MAX_MODEL_BYTES, d.maxModelBytes()),
                kafka,
                boolProp(p, VERIFY_MODELS),
                listProp(p, TRUSTED_KEYS),
                SessionSettings.fromProperties(p));
    }

    /** The settings as properties (the inverse of {@link #fromProperties}). */
    public Properties toProperties() {
        Properties p = new Properties();
        p.setProperty(BOOTSTRAP_SERVERS, bootstrapServers);
        p.setProperty(EVENTS_TOPIC, eventsTopic);
        p.setProperty(PREDICTIONS_TOPIC, predictionsTopic);
        p.setProperty(DLQ_TOPIC, deadLetterTopic);
        p.setProperty(MODELS_TOPIC, modelsTopic);
        p.setProperty(MODEL_NAME, defaultModel);
        p.setProperty(MODEL_SELECTION, selection.name().toLowerCase(java.util.Locale.ROOT));
        p.setProperty(SWAP_POLICY, predictor.swapPolicy().id());
        p.setProperty(REWARM_WINDOW, Integer.toString(predictor.rewarmWindow()));
        p.setProperty(TOP_K, Integer.toString(predictor.topK()));
        p.setProperty(TOP_G, Integer.toString(predictor.topG()));
        p.setProperty(ANOMALY_THRESHOLD, Double.toString(predictor.anomalyThreshold()));
        p.setProperty(ANOMALY_SUPPRESS, Integer.toString(predictor.suppressEvents()));
        p.setProperty(UNKNOWN_EVENT, predictor.unknownEventAnomaly() ? "anomaly" : "dead-letter");
        p.setProperty(ANOMALY_SPIKE_FACTOR, Double.toString(predictor.sensorScoring().spikeFactor()));
        p.setProperty(ANOMALY_RANGE_MARGIN, Double.toString(predictor.sensorScoring().rangeMargin()));
        p.setProperty(ANOMALY_SEASON_MS, Long.toString(predictor.sensorScoring().seasonMillis()));
        p.setProperty(ANOMALY_SEASON_CYCLES, Integer.toString(predictor.sensorScoring().seasonCycles()));
        p.setProperty(ANOMALY_SEASON_JITTER, Integer.toString(predictor.sensorScoring().seasonJitter()));
        p.setProperty(BLEND_ALPHA, Double.toString(predictor.sensorScoring().blendAlpha()));
        p.setProperty(MAX_EVENT_BYTES, Integer.toString(maxEventBytes));
        p.setProperty(MAX_KEY_BYTES, Integer.toString(maxKeyBytes));
        p.setProperty(MAX_MODEL_BYTES, Long.toString(maxModelBytes));
        kafka.forEach((k, v) -> p.setProperty("kafka." + k, v));
        if (verifyModels != null) {
            p.setProperty(VERIFY_MODELS, verifyModels.toString());
        }
        if (!trustedKeys.isEmpty()) {
            p.setProperty(TRUSTED_KEYS, String.join(",", trustedKeys));
        }
        sessions.toProperties(p);
        return p;
    }

    public JobSettings withTopics(String events, String predictions, String dlq, String models) {
        return new JobSettings(bootstrapServers, events, predictions, dlq, models, defaultModel, selection, predictor,
                maxEventBytes, maxKeyBytes, maxModelBytes, kafka, verifyModels, trustedKeys, sessions);
    }

    public JobSettings withPredictor(PredictorConfig config) {
        return new JobSettings(bootstrapServers, eventsTopic, predictionsTopic, deadLetterTopic, modelsTopic, defaultModel,
                selection, config, maxEventBytes, maxKeyBytes, maxModelBytes, kafka, verifyModels, trustedKeys, sessions);
    }

    /** These settings with model verification set explicitly (null = by whether trusted keys are given). */
    public JobSettings withModelVerification(Boolean verify, List<String> keys) {
        return new JobSettings(bootstrapServers, eventsTopic, predictionsTopic, deadLetterTopic, modelsTopic, defaultModel,
                selection, predictor, maxEventBytes, maxKeyBytes, maxModelBytes, kafka, verify, keys, sessions);
    }

    /** These settings with sessions as given ({@link SessionSettings#OFF}: none). */
    public JobSettings withSessions(SessionSettings s) {
        return new JobSettings(bootstrapServers, eventsTopic, predictionsTopic, deadLetterTopic, modelsTopic, defaultModel,
                selection, predictor, maxEventBytes, maxKeyBytes, maxModelBytes, kafka, verifyModels, trustedKeys, s);
    }

    /** The topic session verdicts go to (when sessions are on). */
    public String verdictsTopic() {
        return sessions.verdictsTopic();
    }

    private static boolean unknownEventAnomaly(String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "dead-letter" -> false;
            case "anomaly" -> true;
            default -> throw new IllegalArgumentException(UNKNOWN_EVENT + " must be dead-letter or anomaly, got '" + value + "'");
        };
    }

    /** The event parser these limits call for. */
    public EventParser newParser() {
        return new EventParser(maxEventBytes, maxKeyBytes, sessions.parsedEndField());
    }

    public ModelRegistry newRegistry(ModelRegistry.ArtifactVerifier verifier) {
        return new ModelRegistry(selection, defaultModel, maxModelBytes, verifier);
    }

    private static Boolean boolProp(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return null;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
        };
    }

    private static List<String> listProp(Properties p, String key) {
        String v = p.getProperty(key);
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** Reads an integer property (with a message naming the key when it is not one); shared with engine settings. */
    public static long longProp(Properties p, String key, long dflt) {
        String v = p.getProperty(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
    }

    private static int intProp(Properties p, String key, int dflt) {
        String v = p.getProperty(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
    }
}

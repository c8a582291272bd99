package dev.seqpredict.processor;

import dev.seqpredict.model.ModelArtifact;
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
        long maxModelBytes,
        Map<String, String> kafka) {

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
    /** Events after an alarm whose score is capped (see {@link PredictorConfig#suppressEvents()}). */
    public static final String ANOMALY_SUPPRESS = "anomaly.suppress.events";
    public static final String MAX_EVENT_BYTES = "limits.event.bytes";
    public static final String MAX_MODEL_BYTES = "limits.model.bytes";

    public JobSettings {
        kafka = Map.copyOf(kafka == null ? Map.of() : kafka);
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
                intProp(p, ANOMALY_SUPPRESS, pc.suppressEvents()));
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
                Long.parseLong(p.getProperty(MAX_MODEL_BYTES, Long.toString(d.maxModelBytes()))),
                kafka);
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
        p.setProperty(MAX_EVENT_BYTES, Integer.toString(maxEventBytes));
        p.setProperty(MAX_MODEL_BYTES, Long.toString(maxModelBytes));
        kafka.forEach((k, v) -> p.setProperty("kafka." + k, v));
        return p;
    }

    public JobSettings withTopics(String events, String predictions, String dlq, String models) {
        return new JobSettings(bootstrapServers, events, predictions, dlq, models, defaultModel, selection, predictor,
                maxEventBytes, maxModelBytes, kafka);
    }

    public JobSettings withPredictor(PredictorConfig config) {
        return new JobSettings(bootstrapServers, eventsTopic, predictionsTopic, deadLetterTopic, modelsTopic, defaultModel,
                selection, config, maxEventBytes, maxModelBytes, kafka);
    }

    public ModelRegistry newRegistry(ModelRegistry.ArtifactVerifier verifier) {
        return new ModelRegistry(selection, defaultModel, maxModelBytes, verifier);
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

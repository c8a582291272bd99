package dev.seqpredict.kstreams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictionJson;
import dev.seqpredict.metrics.StreamMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.streams.StreamsConfig;

/** Shared settings, inputs and the core reference run for the Kafka Streams tests. */
final class KStreamsFixtures {
    static final String EVENTS = "events";
    static final String PREDICTIONS = "predictions";
    static final String DLQ = "events-dlq";
    static final String MODELS = "models";
    static final ObjectMapper JSON = new ObjectMapper();

    private KStreamsFixtures() {
    }

    /** Job properties: model selection by field (default model "sensors"), rewarm window 4, 2 KB events. */
    static Properties jobProperties(String bootstrap, String swapPolicy) {
        Properties p = new Properties();
        p.setProperty(JobSettings.BOOTSTRAP_SERVERS, bootstrap);
        p.setProperty(JobSettings.EVENTS_TOPIC, EVENTS);
        p.setProperty(JobSettings.PREDICTIONS_TOPIC, PREDICTIONS);
        p.setProperty(JobSettings.DLQ_TOPIC, DLQ);
        p.setProperty(JobSettings.MODELS_TOPIC, MODELS);
        p.setProperty(JobSettings.MODEL_NAME, "sensors");
        p.setProperty(JobSettings.MODEL_SELECTION, "field");
        p.setProperty(JobSettings.SWAP_POLICY, swapPolicy);
        p.setProperty(JobSettings.REWARM_WINDOW, "4");
        p.setProperty(JobSettings.MAX_EVENT_BYTES, "2048");
        return p;
    }

    /**
     * One of two instances sharing the work under exactly_once_v2 (the failover tests): one stream thread,
     * commits every 500 ms, a 6 s session so a dead instance's partitions move soon, no HTTP endpoint.
     */
    static Properties failoverProperties(String bootstrap, String events, String predictions, String dlq, String models,
                                         String appId, Path stateDir) {
        Properties p = jobProperties(bootstrap, "rewarm");
        p.setProperty(JobSettings.EVENTS_TOPIC, events);
        p.setProperty(JobSettings.PREDICTIONS_TOPIC, predictions);
        p.setProperty(JobSettings.DLQ_TOPIC, dlq);
        p.setProperty(JobSettings.MODELS_TOPIC, models);
        p.setProperty("streams.application.id", appId);
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("streams.processing.guarantee", StreamsConfig.EXACTLY_ONCE_V2);
        p.setProperty("streams.commit.interval.ms", "500");
        p.setProperty("streams.num.stream.threads", "1");
        p.setProperty("streams.consumer.session.timeout.ms", "6000");
        p.setProperty("streams.consumer.heartbeat.interval.ms", "500");
        // a restarted instance whose local state is behind still counts as caught up, so it gets active tasks back
        // in the next rebalance instead of warming up standbys until a probing rebalance (10 min)
        p.setProperty("streams.acceptable.recovery.lag", "100000000");
        p.setProperty(PredictionApp.HTTP_PORT, "-1");
        return p;
    }

    /** Streams config for a TopologyTestDriver. */
    static Properties driverConfig(Properties job, JobSettings settings, StreamMetrics metrics, Path stateDir) {
        Properties c = PredictionApp.streamsConfig(job, settings, metrics);
        c.put(StreamsConfig.APPLICATION_ID_CONFIG, "seqpredict-test");
        c.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return c;
    }

    static String sensorJson(long ts, float... values) {
        StringBuilder b = new StringBuilder("{\"ts\":").append(ts).append(",\"values\":[");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ",").append(values[i]);
        }
        return b.append("]}").toString();
    }

    static float[] sensorValues(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 10f * i + (float) r.nextGaussian() * (1 + i);
        }
        return v;
    }

    /** An interleaved stream of sensor events for {@code keys}, {@code perKey} each (key, json). */
    static List<String[]> sensorStream(long seed, List<String> keys, int perKey, int arity) {
        Random r = new Random(seed);
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (String k : keys) {
                out.add(new String[] {k, sensorJson(1_700_000_000_000L + i * 1000L, sensorValues(r, arity))});
            }
        }
        return out;
    }

    /**
     * The core reference: the engine-neutral KeyedPredictor over the same records with the given models
     * installed; the predictions' JSON as strings (rejected records are skipped).
     */
    static List<String> coreRun(JobSettings settings, Map<String, byte[]> models, List<String[]> records) {
        ModelRegistry registry = settings.newRegistry(ModelRegistry.ArtifactVerifier.ACCEPT_ALL);
        models.forEach(registry::offer);
        KeyedPredictor predictor = new KeyedPredictor(settings.predictor());
        EventParser parser = settings.newParser();
        Map<String, KeyState> states = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (String[] rec : records) {
            EventParser.Result parsed = parser.parse(rec[0], rec[1].getBytes(StandardCharsets.UTF_8));
            if (!parsed.ok()) {
                continue;
            }
            Event e = parsed.event();
            Outcome o = predictor.process(states.get(e.key()), e, registry.select(e));
            if (o instanceof Outcome.Predicted p) {
                states.put(e.key(), p.state());
                out.add(new String(PredictionJson.toBytes(p.prediction()), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    static float[] floats(JsonNode array) {
        float[] f = new float[array.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) array.get(i).doubleValue();
        }
        return f;
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The sum of the counters called {@code name} with the given tags (name, value, ...). */
    static double count(MeterRegistry registry, String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }
}

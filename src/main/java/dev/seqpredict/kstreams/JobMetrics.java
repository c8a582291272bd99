package dev.seqpredict.kstreams;

import java.io.StringWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The job's counters, with the metric names and tags both engines report (Prometheus style):
 * <pre>
 * seqpredict_events_total                      records read from the events topic
 * seqpredict_predictions_total                 predictions written
 * seqpredict_rejected_total{reason}            records sent to the DLQ (reason = RejectReason id,
 *                                              or processing_error / deserialization_error)
 * seqpredict_anomalies_total                   predictions flagged as anomalies
 * seqpredict_swaps_total                       first event of a key under a new model
 * seqpredict_model_updates_total{result}       models-topic records: accepted, unchanged, removed, rejected
 * seqpredict_model_rejected_total{reason}      rejected models: too_large, invalid, unsupported, unverified
 * </pre>
 * One instance per application instance, shared by its processors (any thread) and served by
 * {@link KeyQueryServer} at {@code GET /metrics}.
 */
public final class JobMetrics {
    public static final String EVENTS = "seqpredict_events_total";
    public static final String PREDICTIONS = "seqpredict_predictions_total";
    public static final String REJECTED = "seqpredict_rejected_total";
    public static final String ANOMALIES = "seqpredict_anomalies_total";
    public static final String SWAPS = "seqpredict_swaps_total";
    public static final String MODEL_UPDATES = "seqpredict_model_updates_total";
    public static final String MODEL_REJECTED = "seqpredict_model_rejected_total";

    /** Key under which the instance travels in the Streams config to the exception handlers. */
    static final String CONFIG_KEY = "seqpredict.metrics.instance";

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    public void inc(String name) {
        counter(name, null, null).increment();
    }

    public void inc(String name, String tag, String value) {
        counter(name, tag, value).increment();
    }

    /** The current value, 0 when never incremented. */
    public long get(String name) {
        return get(name, null, null);
    }

    public long get(String name, String tag, String value) {
        LongAdder a = counters.get(id(name, tag, value));
        return a == null ? 0 : a.sum();
    }

    private LongAdder counter(String name, String tag, String value) {
        return counters.computeIfAbsent(id(name, tag, value), k -> new LongAdder());
    }

    private static String id(String name, String tag, String value) {
        return tag == null ? name : name + "{" + tag + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }

    /** The counters in the Prometheus text exposition format. */
    public String prometheusText() {
        Map<String, Long> sorted = new TreeMap<>();
        counters.forEach((k, v) -> sorted.put(k, v.sum()));
        StringWriter w = new StringWriter();
        String lastName = null;
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            int brace = e.getKey().indexOf('{');
            String name = brace < 0 ? e.getKey() : e.getKey().substring(0, brace);
            if (!name.equals(lastName)) {
                w.append("# TYPE ").append(name).append(" counter\n");
                lastName = name;
            }
            w.append(e.getKey()).append(' ').append(Long.toString(e.getValue())).append('\n');
        }
        return w.toString();
    }

    static JobMetrics from(Map<String, ?> configs) {
        Object o = configs == null ? null : configs.get(CONFIG_KEY);
        return o instanceof JobMetrics m ? m : new JobMetrics();
    }
}

package dev.seqpredict.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.seqpredict.processor.DeadLetter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Header;

/**
 * What the demo learns by reading the predictions and DLQ topics, as a user would: counts, keys, model
 * versions, rolling error per version, anomalies, dead letters by reason, and the swaps. Also records the
 * plotted keys' actual values against the forecasts made for them. Thread-safe.
 */
final class LiveStats {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROLLING = 500;

    /** Error statistics of one model version. */
    static final class VersionStats {
        final String version;
        long predictions;
        long anomalies;
        long errors;
        double errorSum;
        long afterChange;
        double afterChangeErrorSum;
        final double[] ring = new double[ROLLING];
        int ringFill;
        int ringPos;
        long firstSeenNanos;

        VersionStats(String version) {
            this.version = version;
            this.firstSeenNanos = System.nanoTime();
        }

        double rollingMae() {
            if (ringFill == 0) {
                return Double.NaN;
            }
            double s = 0;
            for (int i = 0; i < ringFill; i++) {
                s += ring[i];
            }
            return s / ringFill;
        }

        double maeAfterChange() {
            return afterChange == 0 ? Double.NaN : afterChangeErrorSum / afterChange;
        }
    }

    /** A model version taking over, as the stream saw it. */
    record Swap(String version, String from, long atNanos, double fromRollingMae) {
    }

    final AtomicLong produced = new AtomicLong();
    final AtomicLong producedBad = new AtomicLong();
    /** Good records carrying an injected fault (a sensor fault, or a log event id no normal session has). */
    final AtomicLong producedFaults = new AtomicLong();
    private final Set<String> producedKeys = ConcurrentHashMap.newKeySet();
    final AtomicLong predictions = new AtomicLong();
    final AtomicLong dlq = new AtomicLong();
    final AtomicLong anomalies = new AtomicLong();
    final AtomicLong swappedKeys = new AtomicLong();
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final Map<String, VersionStats> versions = new LinkedHashMap<>();
    private final Map<String, AtomicLong> dlqReasons = new ConcurrentHashMap<>();
    private final List<Swap> swaps = new ArrayList<>();
    private final Map<String, DemoPlot.Track> tracks = new LinkedHashMap<>();
    private final Map<String, Double> actualByKeyTs = new ConcurrentHashMap<>();
    private final Map<String, Double> lastForecast = new ConcurrentHashMap<>();
    /** Per key, the timestamp of its latest injected fault not yet predicted. */
    private final Map<String, Long> pendingFault = new ConcurrentHashMap<>();
    /** Per key, how many more predictions may still flag its last injected fault (0 = none open). */
    private final Map<String, Integer> faultWindow = new LinkedHashMap<>();
    final AtomicLong faultsFlagged = new AtomicLong();
    final AtomicLong faultsMissed = new AtomicLong();
    private final List<String> missedFaults = new ArrayList<>();
    /** Session verdicts (log streams): closed, anomalous, by reason, and against the simulator's truth. */
    final AtomicLong sessionsClosed = new AtomicLong();
    final AtomicLong sessionsAnomalous = new AtomicLong();
    private final Map<String, AtomicLong> verdictReasons = new ConcurrentHashMap<>();
    /** {deviating flagged, deviating, normal flagged, normal} among the closed sessions the source knows. */
    private final long[] truth = new long[4];
    /** Keys whose last session was judged normal, newest last (what the retraining learns from). */
    private final Set<String> judgedNormal = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    private static final int MAX_JUDGED_NORMAL = 20_000;
    private java.util.function.Function<String, Boolean> sessionTruth = k -> null;
    private final long regimeChangeTs;
    private final List<String> retrainLog = new ArrayList<>();
    private String currentVersion;

    LiveStats(List<String> plotKeys, long regimeChangeTs) {
        plotKeys.forEach(k -> tracks.put(k, new DemoPlot.Track(k)));
        this.regimeChangeTs = regimeChangeTs;
    }

    boolean plotted(String key) {
        return tracks.containsKey(key);
    }

    /** The producer tells the value it sent for a plotted key. */
    void sent(String key, long ts, double value) {
        actualByKeyTs.put(key + '@' + ts, value);
    }

    void prediction(String key, byte[] value) {
        JsonNode p;
        try {
            p = JSON.readTree(value);
        } catch (IOException e) {
            return;
        }
        predictions.incrementAndGet();
        keys.add(key);
        String version = p.path("version").asText();
        long ts = p.path("ts").asLong();
        boolean anomaly = p.path("anomaly").asBoolean();
        boolean swapped = p.path("swapped").asBoolean();
        JsonNode err = p.get("error");
        double error = err == null || err.isNull() ? Double.NaN : err.asDouble();
        if (anomaly) {
            anomalies.incrementAndGet();
        }
        synchronized (this) {
            VersionStats v = versions.computeIfAbsent(version, VersionStats::new);
            v.predictions++;
            if (anomaly) {
                v.anomalies++;
            }
            if (!Double.isNaN(error)) {
                v.errors++;
                v.errorSum += error;
                v.ring[v.ringPos] = error;
                v.ringPos = (v.ringPos + 1) % ROLLING;
                v.ringFill = Math.min(v.ringFill + 1, ROLLING);
                if (ts >= regimeChangeTs) {
                    v.afterChange++;
                    v.afterChangeErrorSum += error;
                }
            }
            if (swapped) {
                swappedKeys.incrementAndGet();
            }
            judgeFault(key, ts, anomaly);
            if (currentVersion == null) {
                currentVersion = version;
            } else if (!currentVersion.equals(version) && swaps.stream().noneMatch(s -> s.version.equals(version))) {
                VersionStats from = versions.get(currentVersion);
                swaps.add(new Swap(version, currentVersion, System.nanoTime(), from == null ? Double.NaN : from.rollingMae()));
                currentVersion = version;
            }
            DemoPlot.Track track = tracks.get(key);
            if (track != null) {
                Double actual = actualByKeyTs.remove(key + '@' + ts);
                Double forecastForThis = lastForecast.get(key);
                JsonNode pred = p.path("prediction");
                if (pred.isArray() && !pred.isEmpty()) {
                    lastForecast.put(key, pred.get(0).asDouble());
                }
                if (actual != null) {
                    if (ts >= regimeChangeTs) {
                        track.markRegimeChange(track.size());
                    }
                    track.add(track.size(), actual, forecastForThis == null ? Double.NaN : forecastForThis, anomaly,
                            swapped ? version : null);
                }
            }
        }
    }

    void sessionTruth(java.util.function.Function<String, Boolean> truthOfKey) {
        this.sessionTruth = truthOfKey;
    }

    /** One session verdict from the verdicts topic. */
    void verdict(String key, byte[] value) {
        JsonNode v;
        try {
            v = JSON.readTree(value);
        } catch (IOException e) {
            return;
        }
        boolean anomalous = "anomalous".equals(v.path("verdict").asText());
        sessionsClosed.incrementAndGet();
        if (anomalous) {
            sessionsAnomalous.incrementAndGet();
            verdictReasons.computeIfAbsent(v.path("reason").asText("?"), r -> new AtomicLong()).incrementAndGet();
        } else {
            synchronized (judgedNormal) {
                judgedNormal.add(key);
                if (judgedNormal.size() > MAX_JUDGED_NORMAL) {
                    judgedNormal.remove(judgedNormal.iterator().next());
                }
            }
        }
        Boolean deviating = sessionTruth.apply(key);
        if (deviating != null) {
            synchronized (truth) {
                int at = deviating ? 0 : 2;
                truth[at] += anomalous ? 1 : 0;
                truth[at + 1]++;
            }
        }
    }

    Map<String, Long> verdictReasons() {
        Map<String, Long> m = new java.util.TreeMap<>();
        verdictReasons.forEach((k, n) -> m.put(k, n.get()));
        return m;
    }

    /** {deviating flagged, deviating, normal flagged, normal}. */
    long[] sessionTruth() {
        synchronized (truth) {
            return truth.clone();
        }
    }

    boolean judgedNormal(String key) {
        return judgedNormal.contains(key);
    }

    void deadLetter(Iterable<Header> headers) {
        dlq.incrementAndGet();
        for (Header h : headers) {
            if (h.key().equals(DeadLetter.REASON)) {
                dlqReasons.computeIfAbsent(new String(h.value(), StandardCharsets.UTF_8), r -> new AtomicLong()).incrementAndGet();
            }
        }
    }

    synchronized void retrained(String line) {
        retrainLog.add(line);
    }

    synchronized List<String> retrainLog() {
        return List.copyOf(retrainLog);
    }

    int keyCount() {
        return keys.size();
    }

    Set<String> keys() {
        return Set.copyOf(keys);
    }

    /** One good record sent for key. */
    void produced(String key, long ts, boolean fault) {
        produced.incrementAndGet();
        producedKeys.add(key);
        if (fault) {
            producedFaults.incrementAndGet();
            pendingFault.put(key, ts);
        }
    }

    /**
     * An injected fault counts as flagged when its own prediction or the key's next one is an anomaly (a model
     * may only see a spike as one when the value comes back).
     */
    private void judgeFault(String key, long ts, boolean anomaly) {
        int left = faultWindow.getOrDefault(key, 0);
        Long fault = pendingFault.get(key);
        if (fault != null && fault == ts) {
            pendingFault.remove(key, fault);
            if (left > 0) { // an earlier fault of the key still open: it was not flagged on its own events
                missed(key, ts);
            }
            left = 2;
        }
        if (left == 0) {
            return;
        }
        if (anomaly) {
            faultsFlagged.incrementAndGet();
            left = 0;
        } else if (--left == 0) {
            missed(key, ts);
        }
        faultWindow.put(key, left);
    }

    private void missed(String key, long ts) {
        faultsMissed.incrementAndGet();
        if (missedFaults.size() < 20) {
            missedFaults.add(key + "@" + ts);
        }
    }

    synchronized List<String> missedFaults() {
        return List.copyOf(missedFaults);
    }

    Set<String> producedKeys() {
        return Set.copyOf(producedKeys);
    }

    synchronized Map<String, VersionStats> versions() {
        return new LinkedHashMap<>(versions);
    }

    synchronized List<Swap> swaps() {
        return List.copyOf(swaps);
    }

    synchronized String currentVersion() {
        return currentVersion;
    }

    Map<String, Long> dlqByReason() {
        Map<String, Long> m = new TreeMap<>();
        dlqReasons.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    List<DemoPlot.Track> tracks() {
        return List.copyOf(tracks.values());
    }
}

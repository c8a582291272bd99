package dev.seqpredict.testing;

import dev.seqpredict.processor.ClosedSession;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.KeySession;
import dev.seqpredict.processor.KeySessions;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.SessionJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Log events of many sessions for the session failure tests ({@link EndSymbolModels}' "a"/"b" and the end marker
 * "END"), and the verdicts an uninterrupted run gives them.
 */
public final class SessionStreams {

    private SessionStreams() {
    }

    /**
     * {@code n} events of 8 keys in event-time order (record timestamp = ts, from {@code t0}), sessions of 1-6 events
     * ended by the marker or by a silence longer than {@code gap}; then a record far ahead on partitions 0 and 1, so
     * event time passes every session's gap.
     */
    public static List<ProducerRecord<String, String>> input(String topic, long t0, long gap, int n, long seed) {
        List<ProducerRecord<String, String>> in = new ArrayList<>();
        Random r = new Random(seed);
        long t = t0;
        Map<String, Integer> left = new HashMap<>();
        for (int i = 0; i < n; i++) {
            t += 50 + r.nextInt(300);
            String key = "h" + r.nextInt(8);
            int k = left.merge(key, 0, Integer::sum);
            String ev;
            if (k == 0) {
                left.put(key, 1 + r.nextInt(6));
                ev = r.nextBoolean() ? "a" : "b";
            } else if (k == 1) {
                left.put(key, 0);
                ev = r.nextInt(3) == 0 ? "END" : r.nextBoolean() ? "a" : "b";
                if (!ev.equals("END")) {
                    t += gap; // this key falls silent: the next record of any key is past its gap
                }
            } else {
                left.put(key, k - 1);
                ev = r.nextBoolean() ? "a" : "b";
            }
            in.add(new ProducerRecord<>(topic, null, t, key, "{\"ts\":" + t + ",\"event\":\"" + ev + "\"}"));
        }
        long far = t + 100 * gap;
        in.add(new ProducerRecord<>(topic, 0, far, "clock-0", "{\"ts\":" + far + ",\"event\":\"a\"}"));
        in.add(new ProducerRecord<>(topic, 1, far, "clock-1", "{\"ts\":" + far + ",\"event\":\"a\"}"));
        return in;
    }

    /** The verdicts of an uninterrupted run: the per-key core over each record in order, then every session due. */
    public static Map<String, List<String>> reference(JobSettings settings, String modelName, byte[] artifact,
                                                      List<ProducerRecord<String, String>> in) {
        ModelRegistry registry = settings.newRegistry();
        registry.offer(modelName, artifact);
        KeySessions sessions = KeySessions.of(settings);
        EventParser parser = settings.newParser();
        Map<String, KeyState> states = new HashMap<>();
        Map<String, KeySession> open = new HashMap<>();
        Map<String, List<String>> out = new TreeMap<>();
        for (ProducerRecord<String, String> rec : in) {
            Event e = parser.parse(rec.key(), rec.value().getBytes(StandardCharsets.UTF_8)).event();
            KeySessions.Step step = sessions.process(states.get(rec.key()), open.get(rec.key()), e, rec.timestamp(),
                    registry.select(e), registry);
            step.closed().forEach(c -> out.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(json(c)));
            if (step.state() == null) {
                states.remove(rec.key());
            } else if (step.outcome() instanceof Outcome.Predicted) {
                states.put(rec.key(), step.state());
            }
            if (step.session() == null) {
                open.remove(rec.key());
            } else {
                open.put(rec.key(), step.session());
            }
        }
        long end = in.get(in.size() - 1).timestamp();
        open.forEach((key, s) -> {
            ClosedSession c = sessions.closeExpired(key, states.get(key), s, end, registry);
            if (c != null) {
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(json(c));
            }
        });
        return out;
    }

    private static String json(ClosedSession c) {
        return new String(SessionJson.toBytes(c), StandardCharsets.UTF_8);
    }
}

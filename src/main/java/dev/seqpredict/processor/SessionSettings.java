package dev.seqpredict.processor;

import java.util.Locale;
import java.util.Properties;

/**
 * How the jobs cut a key's events into sessions (both engines, same property names). Off unless
 * {@value #GAP} is set above 0, so sensor jobs are unchanged.
 *
 * @param gapMs             a key's session closes once event time has passed its last record by this much
 *                          (0: sessions off)
 * @param endEvent          a log event id that ends the key's session: a marker, not predicted (null: none)
 * @param endField          a boolean field of the event JSON ({@code true} or {@code "true"}): the event is predicted and
 *                          is its session's last (null: none)
 * @param endRule           judge where the session ended too (models with an end symbol)
 * @param minEndProbability the end's probability floor ({@link SessionRules#minEndProbability()})
 * @param checkMs           Kafka Streams: the stream-time punctuation interval (0: a quarter of the gap, 10 ms .. 60 s)
 * @param outOfOrdernessMs  Flink: the watermarks' bounded out-of-orderness
 * @param idleMs            Flink: an events partition without records for this long stops holding the watermark back
 *                          (0: never)
 * @param verdictsTopic     where the session verdicts go ({@link SessionJson})
 */
public record SessionSettings(long gapMs, String endEvent, String endField, boolean endRule, double minEndProbability,
                              long checkMs, long outOfOrdernessMs, long idleMs, String verdictsTopic) {

    public static final String GAP = "sessions.gap.ms";
    public static final String END_EVENT = "sessions.end.event";
    public static final String END_FIELD = "sessions.end.field";
    public static final String END_RULE = "sessions.end.rule";
    public static final String MIN_END_PROBABILITY = "sessions.end.min.probability";
    public static final String CHECK = "sessions.check.ms";
    public static final String OUT_OF_ORDERNESS = "sessions.out.of.orderness.ms";
    public static final String IDLE = "sessions.idle.ms";
    public static final String VERDICTS_TOPIC = "topic.verdicts";
    public static final String DEFAULT_VERDICTS_TOPIC = "verdicts";

    public static final String DEFAULT_END_FIELD = "session_end";
    public static final long DEFAULT_IDLE_MS = 30_000;

    /** Sessions off. */
    public static final SessionSettings OFF = new SessionSettings(0, null, DEFAULT_END_FIELD, true,
            SessionRules.DEFAULT_MIN_END_PROBABILITY, 0, 0, DEFAULT_IDLE_MS, DEFAULT_VERDICTS_TOPIC);

    public SessionSettings {
        endEvent = blankToNull(endEvent);
        endField = blankToNull(endField);
        verdictsTopic = verdictsTopic == null || verdictsTopic.isBlank() ? DEFAULT_VERDICTS_TOPIC : verdictsTopic.trim();
        if (gapMs < 0 || checkMs < 0 || outOfOrdernessMs < 0 || idleMs < 0) {
            throw new IllegalArgumentException(GAP + ", " + CHECK + ", " + OUT_OF_ORDERNESS + " and " + IDLE
                    + " must be ≥ 0");
        }
        if (gapMs == 0 && endEvent != null) {
            throw new IllegalArgumentException(END_EVENT + " needs " + GAP + " (sessions are off without a gap)");
        }
        if (!(minEndProbability >= 0 && minEndProbability < 1)) {
            throw new IllegalArgumentException(MIN_END_PROBABILITY + " must be in [0, 1), got " + minEndProbability);
        }
    }

    /** A gap, everything else at its default. */
    public static SessionSettings gap(long gapMs) {
        return new SessionSettings(gapMs, null, DEFAULT_END_FIELD, true, SessionRules.DEFAULT_MIN_END_PROBABILITY, 0, 0,
                DEFAULT_IDLE_MS, DEFAULT_VERDICTS_TOPIC);
    }

    public SessionSettings withEndEvent(String id) {
        return new SessionSettings(gapMs, id, endField, endRule, minEndProbability, checkMs, outOfOrdernessMs, idleMs, verdictsTopic);
    }

    public SessionSettings withCheckMs(long ms) {
        return new SessionSettings(gapMs, endEvent, endField, endRule, minEndProbability, ms, outOfOrdernessMs, idleMs, verdictsTopic);
    }

    public SessionSettings withVerdictsTopic(String topic) {
        return new SessionSettings(gapMs, endEvent, endField, endRule, minEndProbability, checkMs, outOfOrdernessMs, idleMs, topic);
    }

    public boolean enabled() {
        return gapMs > 0;
    }

    /** The Kafka Streams punctuation interval: {@link #checkMs()}, or a quarter of the gap between 10 ms and 60 s. */
    public long checkIntervalMs() {
        return checkMs > 0 ? checkMs : Math.max(10, Math.min(60_000, gapMs / 4));
    }

    /** The event field the parser reads when sessions are on, else null (the field is ignored as before). */
    public String parsedEndField() {
        return enabled() ? endField : null;
    }

    public static SessionSettings fromProperties(Properties p) {
        SessionSettings d = OFF;
        String rule = p.getProperty(END_RULE, "true").trim().toLowerCase(Locale.ROOT);
        if (!rule.equals("true") && !rule.equals("false")) {
            throw new IllegalArgumentException(END_RULE + " must be true or false, got '" + rule + "'");
        }
        double floor;
        try {
            floor = Double.parseDouble(p.getProperty(MIN_END_PROBABILITY, Double.toString(d.minEndProbability())).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(MIN_END_PROBABILITY + " must be a number, got '" + p.getProperty(MIN_END_PROBABILITY) + "'");
        }
        return new SessionSettings(
                JobSettings.longProp(p, GAP, 0),
                p.getProperty(END_EVENT),
                p.getProperty(END_FIELD, DEFAULT_END_FIELD),
                rule.equals("true"),
                floor,
                JobSettings.longProp(p, CHECK, 0),
                JobSettings.longProp(p, OUT_OF_ORDERNESS, 0),
                JobSettings.longProp(p, IDLE, DEFAULT_IDLE_MS),
                p.getProperty(VERDICTS_TOPIC, DEFAULT_VERDICTS_TOPIC));
    }

    public void toProperties(Properties p) {
        p.setProperty(GAP, Long.toString(gapMs));
        if (endEvent != null) {
            p.setProperty(END_EVENT, endEvent);
        }
        p.setProperty(END_FIELD, endField == null ? "" : endField);
        p.setProperty(END_RULE, Boolean.toString(endRule));
        p.setProperty(MIN_END_PROBABILITY, Double.toString(minEndProbability));
        p.setProperty(CHECK, Long.toString(checkMs));
        p.setProperty(OUT_OF_ORDERNESS, Long.toString(outOfOrdernessMs));
        p.setProperty(IDLE, Long.toString(idleMs));
        p.setProperty(VERDICTS_TOPIC, verdictsTopic);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}

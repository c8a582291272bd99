package dev.seqpredict.processor;

/**
 * A session's verdict as the jobs publish it ({@link SessionJson}).
 *
 * @param key      the entity id
 * @param firstTs  ts of the session's first event
 * @param lastTs   ts of its latest event (the verdict record's timestamp)
 * @param events   events observed (rejected ones included)
 * @param model    the key's model at the close, or null when no event was predicted
 * @param version  that model's version, or null
 * @param verdict  anomalous or normal, the first reason and where
 * @param closedBy {@link KeySessions#BY_GAP} or {@link KeySessions#BY_END}
 */
public record ClosedSession(String key, long firstTs, long lastTs, int events, String model, String version,
                            SessionVerdict verdict, String closedBy) {
}

package dev.seqpredict.processor;

/**
 * One parsed input record: a sensor event ({@code values}) or a log event ({@code event} token).
 *
 * @param key   the entity id (record key)
 * @param ts    event time, epoch milliseconds
 * @param values the feature values of a sensor event, or null for a log event
 * @param event the event id or name of a log event, or null for a sensor event
 * @param model the optional {@code model} field (for the by-field model selection rule), or null
 * @param sessionEnd the event is the last of its key's session (the {@link SessionSettings#endField()} field;
 *                   only read when sessions are on)
 */
public record Event(String key, long ts, float[] values, String event, String model, boolean sessionEnd) {

    public Event(String key, long ts, float[] values, String event, String model) {
        this(key, ts, values, event, model, false);
    }

    public boolean isLogEvent() {
        return event != null;
    }

    public static Event sensor(String key, long ts, float... values) {
        return new Event(key, ts, values, null, null);
    }

    public static Event log(String key, long ts, String event) {
        return new Event(key, ts, null, event, null);
    }
}

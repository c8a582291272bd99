package dev.seqpredict.train;

/**
 * One key's events in stream order: feature vectors (regression) or event names (classification), and
 * each event's timestamp as read (may be null for sessions files, which carry none).
 */
public record Series(String key, String[] ts, float[][] values, String[] events) {

    public int length() {
        return values != null ? values.length : events.length;
    }
}

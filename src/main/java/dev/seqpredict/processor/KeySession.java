package dev.seqpredict.processor;

/**
 * A key's open session as the engines keep it, next to (not inside) the key's {@link KeyState}: the
 * {@link OpenSession} that judges it, and the event time (the engine's record timestamp) of its latest record,
 * from which its gap deadline follows. Stored with {@link KeySessionCodec}. Mutable; one per key.
 */
public final class KeySession {
    private final OpenSession session;
    private long lastClock;

    public KeySession(OpenSession session, long lastClock) {
        this.session = session;
        this.lastClock = lastClock;
    }

    public OpenSession session() {
        return session;
    }

    /** The latest record timestamp (engine event time) of the session. */
    public long lastClock() {
        return lastClock;
    }

    void touch(long clock) {
        lastClock = Math.max(lastClock, clock);
    }

    /** The event time at which the session is over without another record: last record timestamp + gap (saturating). */
    public long deadline(long gapMs) {
        long d = lastClock + gapMs;
        return d < lastClock ? Long.MAX_VALUE : d;
    }
}

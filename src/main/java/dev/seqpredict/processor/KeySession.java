package dev.seqpredict.processor;

/**
 * A key's open session as the engines keep it, next to (not inside) the key's {@link KeyState}: the
 * {@link OpenSession} that judges it, the event time (the engine's record timestamp) of its latest record, from
 * which its gap deadline follows, and the event time of the engine's one timer / index entry for it.
 *
 * <p>Deadlines are lazy: the timer is armed once, when the session opens (at its first deadline), and not moved
 * on later events; when it fires before the real deadline (last record + gap) it is re-armed there
 * ({@link KeySessions#expire}). So the timer is never later than the deadline, and a key's events cost no timer
 * operations. Stored with {@link KeySessionCodec}. Mutable; one per key.
 */
public final class KeySession {
    /** {@link #timerAt()} of a session read from format 1, whose timer was kept at its deadline. */
    public static final long AT_DEADLINE = Long.MIN_VALUE;

    private final OpenSession session;
    private long lastClock;
    private long timerAt;

    public KeySession(OpenSession session, long lastClock) {
        this(session, lastClock, AT_DEADLINE);
    }

    /** Restores a session ({@link KeySessionCodec}); {@code timerAt}: its timer, or {@link #AT_DEADLINE}. */
    public KeySession(OpenSession session, long lastClock, long timerAt) {
        this.session = session;
        this.lastClock = lastClock;
        this.timerAt = timerAt;
    }

    /** An independent copy: changing one does not change the other. */
    public KeySession copy() {
        return new KeySession(session.copy(), lastClock, timerAt);
    }

    public OpenSession session() {
        return session;
    }

    /** The latest record timestamp (engine event time) of the session. */
    public long lastClock() {
        return lastClock;
    }

    /** The stored timer time, or {@link #AT_DEADLINE} (a format-1 session: at its deadline). */
    public long timerAt() {
        return timerAt;
    }

    /** The event time of the session's timer / index entry. */
    public long timer(long gapMs) {
        return timerAt == AT_DEADLINE ? deadline(gapMs) : timerAt;
    }

    void touch(long clock) {
        lastClock = Math.max(lastClock, clock);
    }

    void arm(long at) {
        timerAt = at;
    }

    /** The event time at which the session is over without another record: last record timestamp + gap (saturating). */
    public long deadline(long gapMs) {
        long d = lastClock + gapMs;
        return d < lastClock ? Long.MAX_VALUE : d;
    }
}

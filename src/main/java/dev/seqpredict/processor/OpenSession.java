package dev.seqpredict.processor;

import dev.seqpredict.model.RecurrentModel;

/**
 * One key's session while it is open, for a session verdict (DeepLog): the engine hands it every event's
 * {@link Outcome} from {@link KeyedPredictor} ({@link #observe}) and, when the session ends (a gap timer, an
 * explicit end, or a line's end in {@code detect-sessions}), calls {@link #close} with the key's state.
 *
 * <p>A session is anomalous at its first offending event: one not among the top g predicted from the state
 * before it ({@code miss}), an id the model never saw ({@code unknown_event}), or any other rejection (its
 * reason id). With an end-of-session symbol in the model ({@link RecurrentModel#endIndex()}) and the end rule
 * on, a session without an offending event is also anomalous when it ended where the end symbol was not among
 * the top g predicted after its last event, or less likely than {@link SessionRules#minEndProbability()} ({@code end}, at index = the event count). A model without an end
 * symbol is judged by its events only, as before.
 *
 * <p>Small and plain so an engine can keep it in keyed state next to the {@link KeyState} (every field has an
 * accessor and the full constructor restores it). Not thread-safe: one per key.
 */
public final class OpenSession {

    /** Reason of a session whose last event was not followed by the end symbol in the top g. */
    public static final String END = "end";
    /** Reason of an event outside the top g. */
    public static final String MISS = "miss";

    private long firstTs;
    private long lastTs;
    private int events;
    private String reason;
    private int at = -1;

    public OpenSession() {
    }

    /** Restores a session from its fields (engines' state codecs). */
    public OpenSession(long firstTs, long lastTs, int events, String reason, int at) {
        this.firstTs = firstTs;
        this.lastTs = lastTs;
        this.events = events;
        this.reason = reason;
        this.at = reason == null ? -1 : at;
    }

    /** An independent copy (engines that keep sessions as objects hand out copies). */
    public OpenSession copy() {
        return new OpenSession(firstTs, lastTs, events, reason, at);
    }

    /**
     * Takes the outcome of the session's next event (its index is the number of events observed before it).
     * Only the first offending event is kept.
     */
    public void observe(Event event, Outcome outcome, ServingModel model, SessionRules rules) {
        int index = events;
        if (events == 0) {
            firstTs = event.ts();
            lastTs = event.ts();
        }
        events++;
        lastTs = Math.max(lastTs, event.ts());
        if (reason != null) {
            return;
        }
        if (outcome instanceof Outcome.Rejected r) {
            flag(r.rejection().reason().id(), index);
        } else if (outcome instanceof Outcome.Predicted p && p.prediction().inTopG() != null) {
            Prediction pr = p.prediction();
            boolean unknown = model != null && event.isLogEvent() && model.model().eventIndex(event.event()) < 0;
            if (unknown) {
                flag(RejectReason.UNKNOWN_EVENT.id(), index);
            } else if (!pr.inTopG()) {
                flag(MISS, index);
            }
        }
    }

    private void flag(String why, int index) {
        reason = why;
        at = index;
    }

    /**
     * The verdict when the session ends now.
     *
     * @param state   the key's state after its last event (null when no event was predicted)
     * @param model   the key's model (null: no end rule)
     * @param rules   g, whether the end counts (needs an end symbol in the model), the end's probability floor
     */
    public SessionVerdict close(KeyState state, ServingModel model, SessionRules rules) {
        if (reason != null) {
            return new SessionVerdict(true, at, reason);
        }
        if (rules.endRule() && events > 0 && model != null && state != null && state.lastPrediction != null
                && state.modelFingerprint == model.fingerprint()) {
            RecurrentModel m = model.model();
            int end = m.endIndex();
            if (end >= 0 && end < state.lastPrediction.length
                    && !rules.expectedEnd(KeyedPredictor.rankOf(state.lastPrediction, end), state.lastPrediction[end])) {
                return new SessionVerdict(true, events, END);
            }
        }
        return SessionVerdict.NORMAL;
    }

    /** True once an event made the session anomalous (the end rule can only add to this at {@link #close}). */
    public boolean anomalous() {
        return reason != null;
    }

    public long firstTs() {
        return firstTs;
    }

    public long lastTs() {
        return lastTs;
    }

    public int events() {
        return events;
    }

    /** The first reason, or null while every event was normal. */
    public String reason() {
        return reason;
    }

    /** The index of the first offending event, or -1. */
    public int at() {
        return at;
    }
}

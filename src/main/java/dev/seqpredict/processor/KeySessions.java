package dev.seqpredict.processor;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-key session logic both engines drive, written once. A key's session opens on its first event,
 * observes every event's {@link Outcome} ({@link OpenSession}), and closes
 * <ul>
 *   <li>by gap ({@link #BY_GAP}): once event time (the engine's record timestamps: Flink's watermark, Kafka
 *       Streams' stream time, or the key's own next record) reaches its latest record timestamp + the gap;</li>
 *   <li>by an explicit end ({@link #BY_END}): a record whose event id is {@link SessionSettings#endEvent()} (a
 *       marker: it is not predicted), or an event with the {@link SessionSettings#endField()} set (predicted, then
 *       the session closes).</li>
 * </ul>
 * On close the verdict is made ({@link OpenSession#close}) and the key's state is dropped: its next event starts a
 * new session from a fresh state, as {@code detect-sessions} judges each session from a zero state.
 *
 * <p>Engines call {@link #process} per parsed event (instead of {@link KeyedPredictor#process}) and
 * {@link #expire} from their event-time timers; they store what the {@link Step} / {@link Expiry} says, set and
 * delete the timers it names, and emit its verdicts. Deadlines are lazy ({@link KeySession}): a session's timer is
 * set when it opens and re-armed only when it fires early, so an event that continues a session touches no timer.
 * Stateless apart from its configuration; safe to share.
 */
public final class KeySessions {

    public static final String BY_GAP = "gap";
    public static final String BY_END = "end";

    private final SessionSettings settings;
    private final KeyedPredictor predictor;
    private final SessionRules rules;

    public KeySessions(SessionSettings settings, KeyedPredictor predictor) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("sessions are off (" + SessionSettings.GAP + " is 0)");
        }
        this.settings = settings;
        this.predictor = predictor;
        this.rules = new SessionRules(predictor.config().topG(), settings.endRule(), settings.minEndProbability());
    }

    /** The job's sessions, or null when they are off. */
    public static KeySessions of(JobSettings settings) {
        return settings.sessions().enabled()
                ? new KeySessions(settings.sessions(), new KeyedPredictor(settings.predictor())) : null;
    }

    public SessionSettings settings() {
        return settings;
    }

    public KeyedPredictor predictor() {
        return predictor;
    }

    /** {@link Step#disarm()} / {@link Step#arm()} / {@link Expiry#rearm()} when there is no timer to delete or set. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    /**
     * What to do after one event.
     *
     * @param outcome the predictor's outcome, or null for an end marker (not predicted)
     * @param state   the key's state to store (when {@code outcome} is a prediction), or null: delete it
     * @param session the key's open session to store, or null: delete it
     * @param closed  the sessions this event closed, in order (0, 1 or 2: the previous one by gap, this one by end)
     * @param disarm  the event time of a timer / index entry to delete (of a session this event closed), or
     *                {@link #NO_TIMER}
     * @param arm     the event time of a timer / index entry to set (a session this event opened), or {@link #NO_TIMER};
     *                an event that continues a session sets and deletes none (lazy deadlines)
     */
    public record Step(Outcome outcome, KeyState state, KeySession session, List<ClosedSession> closed,
                       long disarm, long arm) {
    }

    /**
     * What a fired timer does ({@link #expire}).
     *
     * @param closed the verdict (the session is over: delete the key's state and session), or null
     * @param disarm another timer of the closed session to delete, or {@link #NO_TIMER}
     * @param rearm  the session's real deadline, later than the timer: set a timer there and store the session (its
     *               {@link KeySession#timerAt()} moved), or {@link #NO_TIMER}
     */
    public record Expiry(ClosedSession closed, long disarm, long rearm) {
    }

    /**
     * One event of a key.
     *
     * @param state    the key's stored state (null: none)
     * @param session  the key's stored open session (null: none)
     * @param clock    the record's timestamp in the engine (its event time)
     * @param model    the model selected for the event (as for {@link KeyedPredictor#process})
     * @param registry to find the key's model when a session closes (the end rule)
     */
    public Step process(KeyState state, KeySession session, Event event, long clock, ServingModel model,
                        ModelRegistry registry) {
        long gap = settings.gapMs();
        List<ClosedSession> closed = List.of();
        long disarm = NO_TIMER;
        if (session != null && clock >= session.deadline(gap)) {
            disarm = session.timer(gap);
            closed = add(closed, close(event.key(), state, session, registry, BY_GAP));
            state = null;
            session = null;
        }
        if (settings.endEvent() != null && event.isLogEvent() && settings.endEvent().equals(event.event())) {
            if (session != null) {
                disarm = session.timer(gap);
                closed = add(closed, close(event.key(), state, session, registry, BY_END));
                state = null;
            }
            return new Step(null, state, null, closed, disarm, NO_TIMER);
        }
        Outcome outcome = predictor.process(state, event, model);
        if (outcome instanceof Outcome.Predicted p) {
            state = p.state();
        }
        boolean opened = session == null;
        if (opened) {
            session = new KeySession(new OpenSession(), clock);
        } else if (session.timerAt() == KeySession.AT_DEADLINE) {
            session.arm(session.deadline(gap)); // a format-1 session: its timer is at the deadline before this event
        }
        session.session().observe(event, outcome, model, rules);
        session.touch(clock);
        if (event.sessionEnd()) {
            if (!opened) {
                disarm = session.timer(gap);
            }
            closed = add(closed, close(event.key(), state, session, registry, BY_END));
            return new Step(outcome, null, null, closed, disarm, NO_TIMER);
        }
        long arm = NO_TIMER;
        if (opened) {
            arm = session.deadline(gap);
            session.arm(arm);
        }
        return new Step(outcome, state, session, closed, disarm, arm);
    }

    /**
     * A timer of the key fired (lazy deadlines): closes the session when event time {@code now} has reached its real
     * deadline, re-arms the session's timer at that deadline when it has not, and does nothing for a timer that is not
     * the session's (a stale one: the session's own timer is still set). Returns null when there is nothing to do.
     *
     * @param firedAt the fired timer's (index entry's) event time
     * @param now     the engine's event time (the watermark, stream time), at least {@code firedAt}
     */
    public Expiry expire(String key, KeyState state, KeySession session, long firedAt, long now, ModelRegistry registry) {
        if (session == null) {
            return null;
        }
        long gap = settings.gapMs();
        long timer = session.timer(gap);
        long deadline = session.deadline(gap);
        if (now >= deadline) {
            return new Expiry(close(key, state, session, registry, BY_GAP), timer == firedAt ? NO_TIMER : timer, NO_TIMER);
        }
        if (timer != firedAt) {
            return null;
        }
        session.arm(deadline);
        return new Expiry(null, NO_TIMER, deadline);
    }

    /**
     * The verdict of a session whose deadline event time {@code now} has reached, or null when it has not (a
     * stale timer); the engine then deletes the key's state and session.
     */
    public ClosedSession closeExpired(String key, KeyState state, KeySession session, long now, ModelRegistry registry) {
        if (session == null || now < session.deadline(settings.gapMs())) {
            return null;
        }
        return close(key, state, session, registry, BY_GAP);
    }

    private ClosedSession close(String key, KeyState state, KeySession session, ModelRegistry registry, String by) {
        boolean hasModel = state != null && state.modelFingerprint() != 0;
        ServingModel model = hasModel ? registry.get(state.modelName()) : null;
        OpenSession o = session.session();
        SessionVerdict verdict = o.close(state, model, rules);
        return new ClosedSession(key, o.firstTs(), o.lastTs(), o.events(),
                hasModel ? state.modelName() : null, hasModel ? state.modelVersion() : null, verdict, by);
    }

    private static List<ClosedSession> add(List<ClosedSession> list, ClosedSession c) {
        if (list.isEmpty()) {
            return List.of(c);
        }
        List<ClosedSession> out = new ArrayList<>(list);
        out.add(c);
        return List.copyOf(out);
    }
}

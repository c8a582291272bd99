package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.testing.EndSymbolModels;
import dev.seqpredict.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-key session logic the engines drive: a gap, an end marker or an end field closes the session, the
 * verdict is the one {@link EndSymbolModels}' hand-set ranking gives (g = 1: "a b" normal, "a" ends where the end
 * is unlikely, "b" starts with a miss), and the key starts its next session from a fresh state.
 */
class KeySessionsTest {

    private static final long GAP = 1000;

    private final ModelRegistry registry = ModelRegistry.single("ab");
    private final KeySessions sessions;
    private KeyState state;
    private KeySession session;
    private final List<ClosedSession> closed = new ArrayList<>();

    KeySessionsTest() {
        registry.offer("ab", TestModels.bytes(EndSymbolModels.abEnd(true)));
        sessions = new KeySessions(SessionSettings.gap(GAP).withEndEvent("END"),
                new KeyedPredictor(PredictorConfig.DEFAULTS.withTopG(1)));
    }

    private KeySessions.Step send(long ts, String id) {
        return send(new Event("k", ts, null, id, null, false));
    }

    private KeySessions.Step send(Event e) {
        KeySessions.Step step = sessions.process(state, session, e, e.ts(), registry.select(e), registry);
        if (step.state() == null) {
            state = null;
        } else if (step.outcome() instanceof Outcome.Predicted) {
            state = step.state();
        }
        session = step.session();
        closed.addAll(step.closed());
        return step;
    }

    private static ClosedSession verdict(long first, long last, int n, boolean anomalous, int at, String reason, String by) {
        return new ClosedSession("k", first, last, n, "ab", "1", anomalous ? new SessionVerdict(true, at, reason)
                : SessionVerdict.NORMAL, by);
    }

    @Test
    void theKeysNextEventAfterTheGapClosesTheSessionAndStartsAFreshOne() {
        send(100, "a");
        send(200, "b");
        send(1199, "b"); // 999 ms after the last: still the same session ("a b b": after b, b has rank 2: a miss)
        assertThat(closed).isEmpty();
        send(2199, "a"); // exactly the gap: the session is over before this event
        assertThat(closed).containsExactly(verdict(100, 1199, 3, true, 2, "miss", "gap"));
        // the new session starts from the boundary, as a fresh key: "a" is rank 0 (it would be rank 1 after b)
        assertThat(session.session().events()).isEqualTo(1);
        assertThat(session.session().anomalous()).isFalse();
        ClosedSession second = sessions.closeExpired("k", state, session, 2199 + GAP, registry);
        assertThat(second).isEqualTo(verdict(2199, 2199, 1, true, 1, "end", "gap"));
    }

    @Test
    void aTimerBeforeTheDeadlineClosesNothing() {
        send(100, "a");
        send(200, "b");
        assertThat(sessions.closeExpired("k", state, session, 200 + GAP - 1, registry)).isNull();
        assertThat(sessions.closeExpired("k", state, session, 200 + GAP, registry))
                .isEqualTo(verdict(100, 200, 2, false, -1, null, "gap"));
    }

    @Test
    void theEndMarkerClosesTheSessionWithoutBeingPredicted() {
        send(100, "a");
        send(200, "b");
        KeySessions.Step end = send(300, "END");
        assertThat(end.outcome()).isNull();
        assertThat(end.state()).isNull();
        assertThat(end.session()).isNull();
        assertThat(closed).containsExactly(verdict(100, 200, 2, false, -1, null, "end"));
        // a marker with no open session closes nothing
        assertThat(send(400, "END").closed()).isEmpty();
    }

    @Test
    void theEndFieldMakesItsEventTheLastOfTheSession() {
        send(100, "a");
        KeySessions.Step last = send(new Event("k", 200, null, "b", null, true));
        assertThat(last.outcome()).isInstanceOf(Outcome.Predicted.class);
        assertThat(last.state()).isNull();
        assertThat(closed).containsExactly(verdict(100, 200, 2, false, -1, null, "end"));
        // the next session starts fresh: "b" first is a miss at index 0
        send(300, "b");
        assertThat(sessions.closeExpired("k", state, session, 300 + GAP, registry))
                .isEqualTo(verdict(300, 300, 1, true, 0, "miss", "gap"));
    }

    @Test
    void aGapAndAnEndInOneEventCloseTwoSessionsInOrder() {
        send(100, "a");
        send(new Event("k", 5000, null, "a", null, true));
        assertThat(closed).containsExactly(
                verdict(100, 100, 1, true, 1, "end", "gap"),
                verdict(5000, 5000, 1, true, 1, "end", "end"));
    }

    @Test
    void aRejectedEventCountsInTheSessionAndLeavesTheStateAlone() {
        send(100, "a");
        KeyState before = state;
        KeySessions.Step step = send(150, "zz"); // not in the vocabulary: dead-lettered, the session is anomalous
        assertThat(step.outcome()).isInstanceOf(Outcome.Rejected.class);
        assertThat(step.state()).isSameAs(before);
        assertThat(sessions.closeExpired("k", state, session, 150 + GAP, registry))
                .isEqualTo(verdict(100, 150, 2, true, 1, "unknown_event", "gap"));
    }

    @Test
    void sessionsAreOffByDefaultAndAnEndEventNeedsAGap() {
        assertThat(JobSettings.fromProperties(new java.util.Properties()).sessions().enabled()).isFalse();
        assertThat(KeySessions.of(JobSettings.defaults("x:1"))).isNull();
        assertThatThrownBy(() -> SessionSettings.OFF.withEndEvent("END"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(SessionSettings.GAP);
    }

    @Test
    void theSettingsRoundTripThroughProperties() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty(SessionSettings.GAP, "60000");
        p.setProperty(SessionSettings.END_EVENT, "E99");
        p.setProperty(SessionSettings.VERDICTS_TOPIC, "v");
        JobSettings s = JobSettings.fromProperties(p);
        assertThat(s.sessions().gapMs()).isEqualTo(60000);
        assertThat(s.sessions().checkIntervalMs()).isEqualTo(15000);
        assertThat(s.verdictsTopic()).isEqualTo("v");
        assertThat(JobSettings.fromProperties(s.toProperties())).isEqualTo(s);
    }

    @Test
    void lazyDeadlinesArmOnceReArmAtTheRealDeadlineAndDisarmOnClose() {
        KeySessions.Step first = send(100, "a");
        assertThat(first.arm()).isEqualTo(100 + GAP);
        assertThat(first.disarm()).isEqualTo(KeySessions.NO_TIMER);
        KeySessions.Step next = send(300, "b");
        assertThat(next.arm()).isEqualTo(KeySessions.NO_TIMER); // continuing: no timer moves
        assertThat(next.disarm()).isEqualTo(KeySessions.NO_TIMER);
        assertThat(session.timerAt()).isEqualTo(100 + GAP);
        // the timer comes due early: re-armed at the real deadline, nothing closed
        KeySessions.Expiry early = sessions.expire("k", state, session, 100 + GAP, 100 + GAP, registry);
        assertThat(early.closed()).isNull();
        assertThat(early.rearm()).isEqualTo(300 + GAP);
        assertThat(session.timerAt()).isEqualTo(300 + GAP);
        // a timer that is not the session's (left by an earlier release) does nothing before the deadline
        assertThat(sessions.expire("k", state, session, 250, 250 + GAP, registry)).isNull();
        // event time jumped past the real deadline: closed at the first timer that fires, the other one disarmed
        KeySessions.Expiry jump = sessions.expire("k", state, session, 250, 300 + GAP, registry);
        assertThat(jump.closed()).isEqualTo(verdict(100, 300, 2, false, -1, null, "gap"));
        assertThat(jump.disarm()).isEqualTo(300 + GAP);
        // an end closes and deletes the session's timer
        session = null;
        state = null;
        send(5000, "a");
        KeySessions.Step end = send(5100, "END");
        assertThat(end.disarm()).isEqualTo(5000 + GAP);
        assertThat(end.closed()).hasSize(1);
    }

    @Test
    void aFormatOneSessionKeepsItsTimerAtTheDeadlineItHadThen() {
        send(100, "a");
        // as read from format 1: no timer time stored, the previous release kept the timer at the deadline
        session = KeySessionCodec.fromBytes(java.util.HexFormat.of().parseHex("01" + "0000000000000064"
                + "0000000000000064" + "00000001" + "00" + "0000000000000064"));
        assertThat(session.timer(GAP)).isEqualTo(100 + GAP);
        KeySessions.Step next = send(400, "b");
        assertThat(next.arm()).isEqualTo(KeySessions.NO_TIMER);
        assertThat(session.timerAt()).isEqualTo(100 + GAP); // where the old timer is
        KeySessions.Expiry e = sessions.expire("k", state, session, 100 + GAP, 100 + GAP, registry);
        assertThat(e.rearm()).isEqualTo(400 + GAP);
    }
}

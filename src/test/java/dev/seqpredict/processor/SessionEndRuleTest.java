package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.testing.EndSymbolModels;
import org.junit.jupiter.api.Test;

/**
 * The end rule: a session that ends where the model's end symbol is not in the top g is anomalous ("end", at the
 * event count); the expected verdicts follow from {@link EndSymbolModels}' hand-set ranking, not from running it.
 */
class SessionEndRuleTest {

    private final ServingModel withEnd = ServingModel.of("ab", EndSymbolModels.abEnd(true));
    private final ServingModel withoutEnd = ServingModel.of("ab", EndSymbolModels.abEnd(false));

    private static SessionVerdict judge(ServingModel m, int g, boolean endRule, String... events) {
        return SessionVerdict.judge(new KeyedPredictor(PredictorConfig.DEFAULTS.withTopG(g)), m, "k", events,
                new SessionRules(g, endRule, 0));
    }

    @Test
    void aSessionThatStopsWhereTheEndIsUnlikelyIsAnomalous() {
        // after "a" the end has rank 2: outside the top 1 and top 2, inside the top 3
        assertThat(judge(withEnd, 1, true, "a")).isEqualTo(new SessionVerdict(true, 1, "end"));
        assertThat(judge(withEnd, 2, true, "a")).isEqualTo(new SessionVerdict(true, 1, "end"));
        assertThat(judge(withEnd, 3, true, "a")).isEqualTo(SessionVerdict.NORMAL);
        // "a b" ends where the end is the most likely symbol
        assertThat(judge(withEnd, 1, true, "a", "b")).isEqualTo(SessionVerdict.NORMAL);
    }

    @Test
    void theEndRuleOffJudgesEventsOnly() {
        assertThat(judge(withEnd, 1, false, "a")).isEqualTo(SessionVerdict.NORMAL);
    }

    @Test
    void anEarlierMissIsTheReasonEvenWhenTheEndIsAlsoUnlikely() {
        // first event "b" has rank 1 after the boundary: a miss at g = 1, at index 0
        assertThat(judge(withEnd, 1, true, "b")).isEqualTo(new SessionVerdict(true, 0, "miss"));
        // "a b a": after b, a has rank 1 -> miss at index 2 (the end after a would also fail)
        assertThat(judge(withEnd, 1, true, "a", "b", "a")).isEqualTo(new SessionVerdict(true, 2, "miss"));
        assertThat(judge(withEnd, 1, true, "a", "zz")).isEqualTo(new SessionVerdict(true, 1, "unknown_event"));
    }

    @Test
    void aModelWithoutAnEndSymbolIsJudgedAsBefore() {
        // no boundary step: the first event is not scored, and there is no end rule
        assertThat(judge(withoutEnd, 1, true, "b")).isEqualTo(SessionVerdict.NORMAL);
        assertThat(judge(withoutEnd, 1, true, "a")).isEqualTo(SessionVerdict.NORMAL);
        // "<end>" is an ordinary event of that model: after "a", rank 2 -> a miss at index 1
        assertThat(judge(withoutEnd, 1, true, "a", "<end>")).isEqualTo(new SessionVerdict(true, 1, "miss"));
        // ... while a model with the end symbol does not take it as an event
        assertThat(judge(withEnd, 3, true, "a", "<end>")).isEqualTo(new SessionVerdict(true, 1, "unknown_event"));
    }

    @Test
    void anEndInTheTopGButBelowTheProbabilityFloorIsNotExpected() {
        // after "a" the end is rank 2 with p = e^(0·t) / (e^(2t) + e^(1t) + e^(0·t)), t = tanh(5): about 0.09
        double t = Math.tanh(5);
        double pEnd = 1 / (Math.exp(2 * t) + Math.exp(t) + 1);
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withTopG(3));
        assertThat(SessionVerdict.judge(p, withEnd, "k", new String[] {"a"}, new SessionRules(3, true, pEnd * 0.99)))
                .isEqualTo(SessionVerdict.NORMAL);
        assertThat(SessionVerdict.judge(p, withEnd, "k", new String[] {"a"}, new SessionRules(3, true, pEnd * 1.01)))
                .isEqualTo(new SessionVerdict(true, 1, "end"));
    }

    @Test
    void anOpenSessionDrivenEventByEventClosesLater() {
        KeyedPredictor p = new KeyedPredictor(PredictorConfig.DEFAULTS.withTopG(1));
        SessionRules rules = SessionRules.topG(1);
        OpenSession session = new OpenSession();
        KeyState state = null;
        long[] ts = {1000, 1005, 1010};
        String[] events = {"a", "b", "a"};
        for (int i = 0; i < 2; i++) {
            Event e = Event.log("k", ts[i], events[i]);
            Outcome o = p.process(state, e, withEnd);
            session.observe(e, o, withEnd, rules);
            state = ((Outcome.Predicted) o).state();
        }
        assertThat(session.anomalous()).isFalse();
        assertThat(session.close(state, withEnd, rules)).isEqualTo(SessionVerdict.NORMAL);
        // the session goes on (the close above changed nothing): "a" after "b" is a miss, the end after it too
        Event e = Event.log("k", ts[2], events[2]);
        Outcome o = p.process(state, e, withEnd);
        session.observe(e, o, withEnd, rules);
        state = ((Outcome.Predicted) o).state();
        assertThat(session.close(state, withEnd, rules)).isEqualTo(new SessionVerdict(true, 2, "miss"));
        assertThat(session.firstTs()).isEqualTo(1000);
        assertThat(session.lastTs()).isEqualTo(1010);
        assertThat(session.events()).isEqualTo(3);
        OpenSession restored = new OpenSession(session.firstTs(), session.lastTs(), session.events(), session.reason(), session.at());
        assertThat(restored.close(state, withEnd, rules)).isEqualTo(new SessionVerdict(true, 2, "miss"));
    }
}

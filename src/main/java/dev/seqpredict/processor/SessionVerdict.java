package dev.seqpredict.processor;

/**
 * DeepLog's verdict on one session, through the per-key processing the jobs run: the session is one key,
 * its events are processed in order by {@link KeyedPredictor} from a fresh state and observed by an
 * {@link OpenSession}; it is anomalous as soon as one event is not among the top g events predicted from the
 * state before it ({@link Prediction#inTopG()} false; the first event only has a prediction under a model
 * with an end symbol), or an event is outside the model's vocabulary ({@link RejectReason#UNKNOWN_EVENT}),
 * or (end rule, models with an end symbol) the session ended where the end symbol was not in the top g.
 * g is the predictor's {@link PredictorConfig#topG()}.
 *
 * @param anomalous whether the session is anomalous
 * @param at        index of the first offending event (the event count for {@code end}), or -1 for a normal session
 * @param reason    why ({@code miss}, {@code end}, or the rejection reason), or null for a normal session
 */
public record SessionVerdict(boolean anomalous, int at, String reason) {

    public static final SessionVerdict NORMAL = new SessionVerdict(false, -1, null);

    /** Judges one session (events in order) with {@code model}: the predictor's g, the end rule on, rank only. */
    public static SessionVerdict judge(KeyedPredictor predictor, ServingModel model, String key, String[] events) {
        return judge(predictor, model, key, events, SessionRules.topG(predictor.config().topG()));
    }

    /**
     * Judges one session (events in order) with {@code model}; its end is the end of {@code events}. The
     * predictor's own g decides {@link Prediction#inTopG()}; {@code rules.topG()} should be the same.
     */
    public static SessionVerdict judge(KeyedPredictor predictor, ServingModel model, String key, String[] events,
                                       SessionRules rules) {
        KeyState state = null;
        OpenSession session = new OpenSession();
        for (int i = 0; i < events.length && !session.anomalous(); i++) {
            Event e = Event.log(key, i, events[i]);
            Outcome o = predictor.process(state, e, model);
            session.observe(e, o, model, rules);
            if (o instanceof Outcome.Predicted p) {
                state = p.state();
            }
        }
        return session.close(state, model, rules);
    }
}

package dev.seqpredict.processor;

/**
 * DeepLog's verdict on one session, through the per-key processing the jobs run: the session is one key,
 * its events are processed in order by {@link KeyedPredictor} from a fresh state, and it is anomalous as
 * soon as one event (after the first) is not among the top g events predicted from the state before it
 * ({@link Prediction#inTopG()} false), or an event is outside the model's vocabulary
 * ({@link RejectReason#UNKNOWN_EVENT}). g is the predictor's {@link PredictorConfig#topG()}.
 *
 * @param anomalous whether the session is anomalous
 * @param at        index of the first offending event, or -1 for a normal session
 * @param reason    why ({@code miss}, or the rejection reason), or null for a normal session
 */
public record SessionVerdict(boolean anomalous, int at, String reason) {

    public static final SessionVerdict NORMAL = new SessionVerdict(false, -1, null);

    /** Judges one session (events in order) with {@code model}. */
    public static SessionVerdict judge(KeyedPredictor predictor, ServingModel model, String key, String[] events) {
        KeyState state = null;
        for (int i = 0; i < events.length; i++) {
            Outcome o = predictor.process(state, Event.log(key, i, events[i]), model);
            if (o instanceof Outcome.Rejected r) {
                return new SessionVerdict(true, i, r.rejection().reason().id());
            }
            Outcome.Predicted p = (Outcome.Predicted) o;
            if (Boolean.FALSE.equals(p.prediction().inTopG())) {
                return new SessionVerdict(true, i, "miss");
            }
            state = p.state();
        }
        return NORMAL;
    }
}

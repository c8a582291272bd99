package dev.seqpredict.processor;

import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-key logic every engine runs, written once: check the event against the model, apply the swap
 * policy when the key's model changed, score the previous prediction against this event, advance the
 * recurrent state one step, and return the prediction. Engines only load the key's {@link KeyState},
 * call {@link #process}, store the state back and emit the result.
 *
 * <p>An event that fails a check is rejected before anything is changed, so a key's state is never
 * left half-updated. Stateless apart from its configuration; safe to share between threads.
 */
public final class KeyedPredictor {

    private final PredictorConfig config;

    public KeyedPredictor(PredictorConfig config) {
        this.config = config;
    }

    public PredictorConfig config() {
        return config;
    }

    /**
     * @param state the key's state, or null for a key seen for the first time (it is updated in place
     *              and returned in {@link Outcome.Predicted})
     * @param model the model selected for this event, or null when there is none
     */
    public Outcome process(KeyState state, Event event, ServingModel model) {
        Object checked = check(event, model);
        if (checked instanceof Outcome.Rejected r) {
            return r;
        }
        Step st = (Step) checked;
        st.state = state;
        if (st.unknown) {
            return unknownEvent(state, event, model);
        }
        before(st);
        if (st.classification) {
            st.m.stepEvent(st.s.recurrent, st.eventIndex, st.s.lastPrediction);
        } else {
            st.m.step(st.s.recurrent, event.values(), st.s.lastPrediction);
        }
        return after(st);
    }

    /**
     * {@link #process} for many events at once, with the same outcomes bit for bit (the same predictions and
     * the same key states) as calling it once per event in this order, but the recurrent steps of the events
     * under one model made in one pass over its weights ({@link RecurrentModel#stepBatch} /
     * {@link RecurrentModel#stepEventBatch}).
     *
     * <p>A key's events are processed in their order: its first event in the batch goes into the first pass,
     * its second into the second, and so on, so a key is never twice in one pass, and a key whose model
     * changes between two of its events adopts the new model (swap policy and all) in the later pass, as
     * {@code process} would. Everything but the step (checks, swap, scoring, the rewarm buffer) is the
     * per-event code.
     *
     * @param keys   each event's key (the engine's; the key of {@code states})
     * @param events the events, in arrival order
     * @param models the model selected for each event (null: none)
     * @param states each key's state before the batch (a key absent or mapped to null is new); updated in
     *               place: after the call it maps every key that had a prediction to its new state
     * @return each event's outcome, in the order of {@code events}
     */
    public <K> List<Outcome> processBatch(List<K> keys, List<Event> events, List<ServingModel> models,
                                          Map<K, KeyState> states) {
        int n = events.size();
        if (keys.size() != n || models.size() != n) {
            throw new IllegalArgumentException("keys, events and models differ in length: " + keys.size() + ", "
                    + n + ", " + models.size());
        }
        Outcome[] outcomes = new Outcome[n];
        Step[] steps = new Step[n];
        int[] pass = new int[n];
        Map<K, Integer> seen = new HashMap<>();
        int passes = 0;
        for (int i = 0; i < n; i++) {
            Object checked = check(events.get(i), models.get(i));
            if (checked instanceof Outcome.Rejected r) {
                outcomes[i] = r; // checks read only the event and the model: a rejection never waits
                continue;
            }
            steps[i] = (Step) checked;
            int p = seen.merge(keys.get(i), 1, Integer::sum) - 1; // the key's accepted events before this one
            pass[i] = p;
            passes = Math.max(passes, p + 1);
        }
        for (int p = 0; p < passes; p++) {
            // this pass's events (distinct keys), grouped by model in order of first appearance
            Map<RecurrentModel, List<Step>> byModel = new java.util.IdentityHashMap<>(); // one pass per model instance
            for (int i = 0; i < n; i++) {
                Step st = steps[i];
                if (st == null || pass[i] != p) {
                    continue;
                }
                K key = keys.get(i);
                st.state = states.get(key);
                if (st.unknown) {
                    Outcome o = unknownEvent(st.state, st.event, st.model);
                    states.put(key, ((Outcome.Predicted) o).state());
                    outcomes[i] = o;
                    continue;
                }
                before(st);
                states.put(key, st.s);
                st.index = i;
                byModel.computeIfAbsent(st.m, x -> new ArrayList<>()).add(st);
            }
            for (Map.Entry<RecurrentModel, List<Step>> e : byModel.entrySet()) {
                List<Step> group = e.getValue();
                stepAll(e.getKey(), group);
                for (Step st : group) {
                    outcomes[st.index] = after(st);
                }
            }
        }
        return java.util.Arrays.asList(outcomes);
    }

    /** One recurrent step for each of the steps (distinct keys, all under {@code m}), in one pass. */
    private static void stepAll(RecurrentModel m, List<Step> group) {
        int k = group.size();
        float[][] states = new float[k][];
        int[] offsets = new int[k];
        float[][] outs = new float[k][];
        for (int j = 0; j < k; j++) {
            Step st = group.get(j);
            states[j] = st.s.recurrent;
            outs[j] = st.s.lastPrediction;
        }
        if (group.get(0).classification) {
            int[] ids = new int[k];
            for (int j = 0; j < k; j++) {
                ids[j] = group.get(j).eventIndex;
            }
            m.stepEventBatch(k, states, offsets, ids, outs);
        } else {
            float[][] features = new float[k][];
            for (int j = 0; j < k; j++) {
                features[j] = group.get(j).event.values();
            }
            m.stepBatch(k, states, offsets, features, outs);
        }
    }

    /** One event on its way through {@link #process}: what the checks found, then what scoring found. */
    private static final class Step {
        final Event event;
        final ServingModel model;
        final RecurrentModel m;
        final boolean classification;
        final int eventIndex;
        final boolean unknown;
        KeyState state; // as given
        KeyState s;     // the state being updated
        int index;
        boolean swapped;
        float error = Float.NaN;
        Boolean inTopG;
        double score;
        boolean anomaly;

        Step(Event event, ServingModel model, boolean classification, int eventIndex, boolean unknown) {
            this.event = event;
            this.model = model;
            this.m = model.model();
            this.classification = classification;
            this.eventIndex = eventIndex;
            this.unknown = unknown;
        }
    }

    /** The checks, which read only the event and the model: an {@link Outcome.Rejected} or a {@link Step}. */
    private Object check(Event event, ServingModel model) {
        if (model == null) {
            return reject(RejectReason.NO_MODEL, "no model is available for key '" + event.key() + "'"
                    + (event.model() != null ? " (model '" + event.model() + "')" : ""));
        }
        RecurrentModel m = model.model();
        boolean classification = m.spec().task() == Task.CLASSIFICATION;
        int eventIndex = -1;
        if (classification) {
            if (!event.isLogEvent()) {
                return reject(RejectReason.WRONG_KIND, "model '" + model.name() + "' predicts log events; this record has values");
            }
            eventIndex = m.eventIndex(event.event());
            if (eventIndex < 0) {
                if (config.unknownEventAnomaly()) {
                    return new Step(event, model, true, -1, true);
                }
                return reject(RejectReason.UNKNOWN_EVENT, "event '" + event.event() + "' is not in the vocabulary of model '"
                        + model.name() + "' v" + model.version());
            }
        } else {
            if (event.isLogEvent()) {
                return reject(RejectReason.WRONG_KIND, "model '" + model.name() + "' predicts values; this record has an event");
            }
            if (event.values().length != m.spec().inputSize()) {
                return reject(RejectReason.WRONG_ARITY, "model '" + model.name() + "' v" + model.version() + " takes "
                        + m.spec().inputSize() + " values, got " + event.values().length);
            }
            for (int i = 0; i < event.values().length; i++) {
                if (!Float.isFinite(event.values()[i])) {
                    return reject(RejectReason.NON_FINITE, "values[" + i + "] is " + event.values()[i]);
                }
            }
        }
        return new Step(event, model, classification, eventIndex, false);
    }

    /**
     * Every check passed: from here on nothing can fail, so the state is updated all the way. Adopts the model,
     * scores the prediction made before this event and sizes the output for the step.
     */
    private void before(Step st) {
        KeyState s = st.state == null ? new KeyState() : st.state;
        st.s = s;
        RecurrentModel m = st.m;
        boolean classification = st.classification;
        int eventIndex = st.eventIndex;
        Event event = st.event;
        st.swapped = adoptModel(s, st.model);
        if (classification && s.events == 0 && s.lastPrediction == null && m.endIndex() >= 0) {
            // a key's first event under a model that knows session boundaries: step the boundary from the
            // zero state first, as in training, so the first event is predicted (and scored) too
            s.lastPrediction = new float[m.outputSize()];
            m.stepEvent(s.recurrent, m.endIndex(), s.lastPrediction);
        }

        // 1. score the prediction made before this event
        if (s.lastPrediction != null) {
            float error;
            double score;
            if (classification) {
                float p = s.lastPrediction[eventIndex];
                int rank = rankOf(s.lastPrediction, eventIndex);
                st.inTopG = rank < config.topG();
                error = 1f - p;
                score = massAbove(s.lastPrediction, p);
                st.anomaly = !st.inTopG;
                AnomalyScore.update(s, error, config);
            } else {
                float[] actual = m.targetOf(event.values()); // the features the forecast is of
                if (s.blend != null) {
                    s.blend.observe(actual, config.sensorScoring().blendAlpha());
                }
                double forecastError = rmse(s.lastPrediction, actual);
                error = (float) forecastError;
                score = SensorScore.update(s, forecastError, actual, event.ts(), config);
                if (s.lastAlarm >= 0 && s.events - s.lastAlarm <= config.suppressEvents()) {
                    score = Math.min(score, PredictorConfig.SUPPRESSED_SCORE); // the alarm was already raised
                } else if (score >= config.anomalyThreshold()) {
                    st.anomaly = true;
                    s.lastAlarm = s.events;
                }
            }
            st.error = error;
            st.score = score;
            s.lastError = error;
            s.lastScore = (float) score;
        }

        // 2. the step (by the caller) writes the new output, the key's next last prediction, here
        if (s.lastPrediction == null || s.lastPrediction.length != m.outputSize()) {
            s.lastPrediction = new float[m.outputSize()];
        }
    }

    /** After the step: the forecast blend, the rewarm buffer, the counters and the prediction. */
    private Outcome after(Step st) {
        KeyState s = st.s;
        RecurrentModel m = st.m;
        Event event = st.event;
        ServingModel model = st.model;
        float[] input;
        if (st.classification) {
            input = new float[] {st.eventIndex};
        } else {
            input = event.values();
            double blendAlpha = config.sensorScoring().blendAlpha();
            if (blendAlpha > 0 && m.forecastsInputs()) {
                float[] target = m.targetOf(event.values());
                if (target.length == s.lastPrediction.length) {
                    if (s.blend == null || s.blend.width() != target.length) {
                        s.blend = new ForecastBlend(target.length);
                    }
                    s.blend.apply(s.lastPrediction, target);
                }
            } else {
                s.blend = null;
            }
        }
        s.pushInput(input, model.inputWidth(), config.rewarmWindow());
        s.events++;
        s.lastTs = event.ts();

        Prediction prediction = st.classification
                ? logPrediction(event, model, s, st.error, st.score, st.anomaly, st.inTopG, st.swapped)
                : new Prediction(event.key(), event.ts(), model.name(), model.version(), Task.REGRESSION,
                        s.lastPrediction.clone(), null, null, st.error, st.score, st.anomaly, null, s.events, st.swapped);
        return new Outcome.Predicted(s, prediction);
    }

    /**
     * An event id the model has never seen, predicted as what it is to the model: probability 0, so error 1,
     * score 1, not in the top g, an anomaly. The recurrent state cannot take the event (it has no input
     * column) and is not stepped; the forecast stays the one made before it, and the key's model is adopted
     * as for any event under it.
     */
    private Outcome unknownEvent(KeyState state, Event event, ServingModel model) {
        KeyState s = state == null ? new KeyState() : state;
        boolean swapped = adoptModel(s, model);
        s.lastError = 1f;
        s.lastScore = 1f;
        s.lastTs = event.ts();
        return new Outcome.Predicted(s, logPrediction(event, model, s, 1f, 1.0, true, false, swapped));
    }

    /** Makes the state belong to {@code model}; returns true when this was a swap from another model. */
    private boolean adoptModel(KeyState s, ServingModel model) {
        if (s.modelFingerprint == model.fingerprint()) {
            return false;
        }
        RecurrentModel m = model.model();
        boolean first = s.modelFingerprint == 0;
        boolean sameShape = s.recurrent.length == m.stateSize();
        boolean sameInputs = s.inputSignature == model.inputSignature();
        SwapPolicy policy = first ? SwapPolicy.RESET : config.swapPolicy();
        if (policy == SwapPolicy.KEEP && !sameShape) {
            policy = SwapPolicy.RESET;
        }
        if (!sameInputs) {
            s.clearBuffer(); // what the buffer holds means nothing to the new model
            s.lastPrediction = null;
        }
        if (policy != SwapPolicy.KEEP) {
            s.recurrent = m.newState();
        }
        if (policy == SwapPolicy.REWARM && s.ringFill > 0) {
            float[] input = new float[s.ringWidth];
            float[] out = new float[m.outputSize()];
            if (model.isClassification() && m.endIndex() >= 0) {
                m.stepEvent(s.recurrent, m.endIndex(), out); // the replayed events start after a boundary
            }
            for (int i = 0; i < s.ringFill; i++) {
                s.bufferedInput(i, input);
                if (model.isClassification()) {
                    m.stepEvent(s.recurrent, (int) input[0], out);
                } else {
                    m.step(s.recurrent, input, out);
                }
            }
        }
        if (s.lastPrediction != null && s.lastPrediction.length != m.outputSize()) {
            s.lastPrediction = null;
        }
        s.modelName = model.name();
        s.modelVersion = model.version();
        s.modelFingerprint = model.fingerprint();
        s.inputSignature = model.inputSignature();
        return !first;
    }

    private Prediction logPrediction(Event event, ServingModel model, KeyState s, float error, double score,
                                     boolean anomaly, Boolean inTopG, boolean swapped) {
        int k = s.lastPrediction == null ? 0 : Math.min(config.topK(), s.lastPrediction.length);
        int[] top = topIndices(s.lastPrediction, k);
        String[] names = new String[k];
        float[] probs = new float[k];
        for (int i = 0; i < k; i++) {
            names[i] = model.model().eventName(top[i]);
            probs[i] = s.lastPrediction[top[i]];
        }
        return new Prediction(event.key(), event.ts(), model.name(), model.version(), Task.CLASSIFICATION,
                null, names, probs, error, score, anomaly, inTopG, s.events, swapped);
    }

    /** Rank of index i (0 = most likely); ties broken by the lower index first, as topIndices does. */
    static int rankOf(float[] p, int i) {
        int rank = 0;
        for (int j = 0; j < p.length; j++) {
            if (p[j] > p[i] || (p[j] == p[i] && j < i)) {
                rank++;
            }
        }
        return rank;
    }

    static int[] topIndices(float[] p, int k) {
        int[] top = new int[k];
        for (int r = 0; r < k; r++) {
            int best = -1;
            outer:
            for (int j = 0; j < p.length; j++) {
                for (int q = 0; q < r; q++) {
                    if (top[q] == j) {
                        continue outer;
                    }
                }
                if (best < 0 || p[j] > p[best]) {
                    best = j;
                }
            }
            top[r] = best;
        }
        return top;
    }

    /** Probability mass of the events strictly more likely than the actual one. */
    private static double massAbove(float[] p, float actual) {
        double m = 0;
        for (float v : p) {
            if (v > actual) {
                m += v;
            }
        }
        return Math.min(1.0, m);
    }

    /** Root mean squared difference, in double; also the sensor score's forecast error. */
    static double rmse(float[] predicted, float[] actual) {
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = (double) actual[i] - predicted[i];
            sum += d * d;
        }
        return Math.sqrt(sum / actual.length);
    }

    private static Outcome.Rejected reject(RejectReason reason, String detail) {
        return new Outcome.Rejected(new Rejection(reason, detail));
    }
}

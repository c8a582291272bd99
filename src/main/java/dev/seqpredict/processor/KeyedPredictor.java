package dev.seqpredict.processor;

import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;

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
                    return unknownEvent(state, event, model);
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
        // Every check passed: from here on nothing can fail, so the state is updated all the way.
        KeyState s = state == null ? new KeyState() : state;
        float[] input = classification ? new float[] {eventIndex} : event.values();
        boolean swapped = adoptModel(s, model);
        if (classification && s.events == 0 && s.lastPrediction == null && m.endIndex() >= 0) {
            // a key's first event under a model that knows session boundaries: step the boundary from the
            // zero state first, as in training, so the first event is predicted (and scored) too
            s.lastPrediction = new float[m.outputSize()];
            m.stepEvent(s.recurrent, m.endIndex(), s.lastPrediction);
        }

        // 1. score the prediction made before this event
        float error = Float.NaN;
        Boolean inTopG = null;
        double score = 0;
        boolean anomaly = false;
        if (s.lastPrediction != null) {
            if (classification) {
                float p = s.lastPrediction[eventIndex];
                int rank = rankOf(s.lastPrediction, eventIndex);
                inTopG = rank < config.topG();
                error = 1f - p;
                score = massAbove(s.lastPrediction, p);
                anomaly = !inTopG;
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
                    anomaly = true;
                    s.lastAlarm = s.events;
                }
            }
            s.lastError = error;
            s.lastScore = (float) score;
        }

        // 2. advance one step; the new output becomes the key's last prediction
        if (s.lastPrediction == null || s.lastPrediction.length != m.outputSize()) {
            s.lastPrediction = new float[m.outputSize()];
        }
        if (classification) {
            m.stepEvent(s.recurrent, eventIndex, s.lastPrediction);
        } else {
            m.step(s.recurrent, event.values(), s.lastPrediction);
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

        Prediction prediction = classification
                ? logPrediction(event, model, s, error, score, anomaly, inTopG, swapped)
                : new Prediction(event.key(), event.ts(), model.name(), model.version(), Task.REGRESSION,
                        s.lastPrediction.clone(), null, null, error, score, anomaly, null, s.events, swapped);
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

    private static Outcome reject(RejectReason reason, String detail) {
        return new Outcome.Rejected(new Rejection(reason, detail));
    }
}

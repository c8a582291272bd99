package dev.seqpredict.processor;

import dev.seqpredict.model.Task;

/**
 * What the stream emits for one event: the model's output after consuming it (the forecast of the next
 * values, or the most likely next events), the error of the previous prediction against this event, and
 * the anomaly score.
 *
 * @param values       regression: the forecast of the next event's values; null for log streams
 * @param topEvents    classification: the k most likely next events (names/ids), most likely first
 * @param topProbs     their probabilities
 * @param error        error of the prediction made before this event against it (regression: RMSE in
 *                     the values' units; classification: 1 − p(actual)); NaN when there was none
 * @param anomalyScore in [0, 1]
 * @param inTopG       classification: whether this event was among the top g predicted before it
 *                     (null for sensor streams or when there was no earlier prediction)
 * @param events       events this key has had predicted, this one included
 * @param swapped      true when this event is the first of the key under a new model
 */
public record Prediction(String key, long ts, String model, String version, Task task,
                         float[] values, String[] topEvents, float[] topProbs,
                         float error, double anomalyScore, boolean anomaly, Boolean inTopG,
                         long events, boolean swapped) {
}

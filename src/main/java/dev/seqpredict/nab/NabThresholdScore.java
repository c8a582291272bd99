package dev.seqpredict.nab;

/**
 * One point of the threshold sweep: the raw corpus score when every row with
 * {@code anomaly_score >= threshold} is a detection (NAB's {@code ThresholdScore}).
 */
public record NabThresholdScore(double threshold, double rawScore, NabCounts counts) {
}

package dev.seqpredict.nab;

import java.util.List;

/**
 * A detector's NAB score on a corpus under one profile.
 *
 * @param detector        detector name
 * @param profile         the profile
 * @param normalizedScore {@code 100 * (rawScore - nullScore) / (perfectScore - nullScore)}; NaN without windows
 * @param threshold       the corpus threshold chosen by the sweep: a row is a detection iff
 *                        {@code anomaly_score >= threshold}. When no threshold beats "never fire" this is
 *                        {@link NabScorer#NO_DETECTION_THRESHOLD} (1.1, as in NAB) or above every score
 * @param rawScore        NAB's raw corpus score at that threshold (sum of the files' raw scores)
 * @param nullScore       raw score of a detector that never fires: {@code -fnWeight * scorable windows}
 * @param perfectScore    {@code tpWeight * windows} (NAB's runner: one ideal detection per labelled window)
 * @param counts          row-level counts summed over files (see {@link NabCounts})
 * @param windows         labelled windows in the corpus
 * @param windowsDetected windows with a detection
 * @param windowsMissed   scorable windows without a detection (the window-level false negatives)
 * @param fpDetections    detections outside every window (the window-level false positives; = counts.fp)
 * @param files           per-file scores, sorted by file
 */
public record NabResult(String detector, Profile profile, double normalizedScore, double threshold,
                        double rawScore, double nullScore, double perfectScore, NabCounts counts,
                        int windows, int windowsDetected, int windowsMissed, long fpDetections,
                        List<NabFileScore> files) {
}

package dev.seqpredict.nab;

/**
 * One file's contribution at the corpus threshold.
 *
 * @param file             data file, relative as in the labels ({@code realKnownCause/nyc_taxi.csv})
 * @param rawScore         NAB's raw score of the file (sum of its window parts and its false positives)
 * @param counts           row-level counts (see {@link NabCounts})
 * @param rows             rows in the result file
 * @param probationaryRows rows in the probationary period (not scored)
 * @param windows          labelled windows of the file
 * @param scorableWindows  windows with at least one row after the probationary period (only these can
 *                         be missed: NAB gives a window wholly inside the probationary period no FN)
 * @param windowsDetected  windows with a detection (a row at or above the threshold) after probation
 * @param fpDetections     detections outside every window after probation (= counts.fp)
 */
public record NabFileScore(String file, double rawScore, NabCounts counts, int rows, int probationaryRows,
                           int windows, int scorableWindows, int windowsDetected, long fpDetections) {
}

package dev.seqpredict.nab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Scores anomaly detector results against NAB labels the way NAB v1.1 does ({@code nab/sweeper.py},
 * {@code nab/optimizer.py}, {@code nab/scorer.py}, {@code nab/runner.py} of numenta/NAB):
 *
 * <ol>
 *   <li><b>Probationary period.</b> The first {@code min(floor(0.15 * rows), 0.15 * 5000)} rows of each
 *       file (so at most 750) are not scored at all: not as detections, not as window rows
 *       ({@link #probationaryLength(int)}). A window with no row after the period gives no FN.</li>
 *   <li><b>Per-row sweep score.</b> Each row {@code i} gets the value it would add if it were a detection.
 *       Inside a window with rows {@code left..right} (width {@code w = right - left + 1}):
 *       {@code tpWeight * S(-(right - i + 1) / w) / S(-1)}, so the window's first row is worth exactly
 *       {@code tpWeight} and its last row {@code S(-1/w)/S(-1)} of it. Outside every window, after a
 *       window ending at row {@code r} of width {@code w}: {@code fpWeight * S(|i - r| / (w - 1))}, which
 *       is about {@code -fpWeight} far from the window and near 0 just after it; before the file's first
 *       window: {@code -fpWeight}. {@code S} is NAB's scaled sigmoid {@link #scaledSigmoid(double)}.</li>
 *   <li><b>Score at a threshold.</b> The detections are the rows with {@code anomaly_score >= threshold}.
 *       Each window counts {@code -fnWeight} if it has no detection, else the best (= earliest) of its
 *       detections' values; later detections in the same window add nothing. Every detection outside
 *       the windows adds its (negative) value. The raw score is the sum over all windows and files.</li>
 *   <li><b>Threshold.</b> One threshold for the whole corpus: all files' rows are pooled and sorted by
 *       anomaly score, and the raw score is evaluated at {@link #NO_DETECTION_THRESHOLD} (nothing fires)
 *       and at every distinct anomaly score (exact sweep, as NAB's {@code calcScoreByThreshold}). The
 *       highest raw score wins; on a tie the highest threshold (NAB takes the first of its list sorted
 *       stably by score).</li>
 *   <li><b>Normalization</b> (NAB's runner): {@code 100 * (raw - null) / (perfect - null)} with
 *       {@code null = -fnWeight * (windows with a scorable row)} (the detector that never fires) and
 *       {@code perfect = tpWeight * windows} (one detection on each window's first row).</li>
 * </ol>
 *
 * <p>Windows are matched to rows in row order, as NAB's sweeper does (real NAB files have duplicate and
 * even backward timestamps, so no binary search): scanning on from the previous window's last row, a
 * window starts at the first row with {@code timestamp >= start} and ends at the first later row whose
 * timestamp equals {@code end}, or else at the last row of the run with {@code timestamp <= end}. NAB
 * requires the limits to be row timestamps exactly; for such labels this is NAB's choice of rows. A window
 * covering no row is an error. After a one-row window NAB's FP formula divides by zero; here the
 * quotient is +infinity, so such an FP costs the full {@code fpWeight}.
 *
 * <p>Floating-point sums are taken in a fixed order (file, then window), so totals can differ from
 * NAB's in the last bits; the threshold chosen is the same unless two thresholds tie to ~1e-15.
 */
public final class NabScorer {

    /** NAB's probationary fraction. */
    public static final double PROBATIONARY_PERCENT = 0.15;

    /** NAB's sweep starts at this threshold, above any anomaly score in [0, 1]: nothing fires. */
    public static final double NO_DETECTION_THRESHOLD = 1.1;

    private NabScorer() {
    }

    // ---------------------------------------------------------------- public API

    /**
     * Reads {@code <resultsDir>/<detector>/<category>/<detector>_<name>.csv} for every file in the
     * labels and scores the detector under {@code profile}. Every labelled file must have a result file.
     */
    public static NabResult score(Path resultsDir, String detector, Path labelsJson, Profile profile) throws IOException {
        NabLabels labels = NabLabels.read(labelsJson);
        return score(detector, readResults(resultsDir, detector, labels), labels, profile);
    }

    /** {@link #score(Path, String, Path, Profile)} for all three profiles (each with its own threshold). */
    public static Map<Profile, NabResult> scoreAllProfiles(Path resultsDir, String detector, Path labelsJson) throws IOException {
        NabLabels labels = NabLabels.read(labelsJson);
        List<NabResultFile> results = readResults(resultsDir, detector, labels);
        Map<Profile, NabResult> out = new EnumMap<>(Profile.class);
        for (Profile p : Profile.values()) {
            out.put(p, score(detector, results, labels, p));
        }
        return out;
    }

    /**
     * Reads the result file of every labelled file. Fails, naming them, if some are missing or if the
     * detector's directory holds result files for unlabelled data files (to score a subset, pass
     * {@link NabLabels#restrictTo(Set)} labels and use the in-memory API).
     */
    public static List<NabResultFile> readResults(Path resultsDir, String detector, NabLabels labels) throws IOException {
        List<String> missing = new ArrayList<>();
        List<NabResultFile> out = new ArrayList<>();
        Set<Path> expected = new TreeSet<>();
        for (String file : labels.windows().keySet()) {
            Path p = NabResultFile.resultPath(resultsDir, detector, file);
            expected.add(p.toAbsolutePath().normalize());
            if (!Files.isRegularFile(p)) {
                missing.add(p.toString());
                continue;
            }
            out.add(NabResultFile.read(p, file));
        }
        if (!missing.isEmpty()) {
            throw new IOException("missing result file(s) for detector '" + detector + "': " + String.join(", ", missing));
        }
        Path detDir = resultsDir.resolve(detector);
        List<String> unlabelled = new ArrayList<>();
        if (Files.isDirectory(detDir)) {
            try (Stream<Path> s = Files.walk(detDir)) {
                s.filter(Files::isRegularFile)
                        .filter(p -> p.getFileName().toString().startsWith(detector + "_"))
                        .filter(p -> p.getFileName().toString().endsWith(".csv"))
                        .filter(p -> !p.getFileName().toString().endsWith("_scores.csv"))
                        .filter(p -> !expected.contains(p.toAbsolutePath().normalize()))
                        .forEach(p -> unlabelled.add(p.toString()));
            }
        }
        if (!unlabelled.isEmpty()) {
            throw new IOException("result file(s) with no labels: " + String.join(", ", unlabelled));
        }
        return out;
    }

    /** Scores in-memory results; {@code results} must hold exactly the labelled files. */
    public static NabResult score(String detector, List<NabResultFile> results, NabLabels labels, Profile profile) {
        Corpus c = Corpus.build(results, labels, profile);
        NabThresholdScore best = null;
        for (NabThresholdScore t : c.sweep()) {
            if (best == null || t.rawScore() > best.rawScore()) {
                best = t;
            }
        }
        return c.evaluate(detector, profile, best.threshold());
    }

    /** Scores in-memory results at a given threshold (detections: {@code anomaly_score >= threshold}). */
    public static NabResult scoreAt(String detector, List<NabResultFile> results, NabLabels labels, Profile profile,
                                    double threshold) {
        return Corpus.build(results, labels, profile).evaluate(detector, profile, threshold);
    }

    /**
     * The whole threshold sweep, highest threshold first: nothing firing, then every distinct anomaly
     * score (rows with {@code anomaly_score >= threshold} fire).
     */
    public static List<NabThresholdScore> sweep(List<NabResultFile> results, NabLabels labels, Profile profile) {
        return Corpus.build(results, labels, profile).sweep();
    }

    /** Rows {@code i < probationaryLength(rows)} are in the probationary period: NAB's {@code getProbationPeriod}. */
    public static double probationaryLength(int rows) {
        return Math.min(Math.floor(PROBATIONARY_PERCENT * rows), PROBATIONARY_PERCENT * 5000);
    }

    /**
     * NAB's scaled sigmoid of a relative position: {@code 2 / (1 + e^(5x)) - 1} for {@code x < 3}, else -1.
     * -1 (a window's left edge) gives 0.98661, 0 (its right edge) 0, 1 gives -0.98661.
     */
    public static double scaledSigmoid(double relativePosition) {
        if (relativePosition >= 3.0) {
            return -1.0;
        }
        return 2 * sigmoid(-5 * relativePosition) - 1.0;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    // ---------------------------------------------------------------- the scored rows of a corpus

    /** All scorable (post-probation) rows of all files, with their sweep values. */
    private static final class Corpus {
        final Profile profile;
        final List<String> files = new ArrayList<>();
        final List<int[]> fileRowsAndProbation = new ArrayList<>(); // {rows, probationaryRows}
        final List<int[]> fileWindowRange = new ArrayList<>();      // {firstGlobalWindow, endExclusive}
        final List<int[]> filePointRange = new ArrayList<>();       // {firstPoint, endExclusive}
        boolean[] windowScorable;
        int windowCount;
        double[] score;   // anomaly score per point
        double[] value;   // sweep value per point (what it adds as a detection)
        int[] window;     // global window id per point, -1 outside every window
        int points;

        private Corpus(Profile profile) {
            this.profile = profile;
        }

        static Corpus build(List<NabResultFile> results, NabLabels labels, Profile profile) {
            Map<String, NabResultFile> byFile = new HashMap<>();
            for (NabResultFile r : results) {
                if (byFile.put(r.file(), r) != null) {
                    throw new IllegalArgumentException("two results for " + r.file());
                }
            }
            TreeSet<String> unlabelled = new TreeSet<>(byFile.keySet());
            unlabelled.removeAll(labels.windows().keySet());
            if (!unlabelled.isEmpty()) {
                throw new IllegalArgumentException("results with no labels: " + unlabelled);
            }
            TreeSet<String> missing = new TreeSet<>(labels.windows().keySet());
            missing.removeAll(byFile.keySet());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("labelled files with no results: " + missing);
            }
            Corpus c = new Corpus(profile);
            int totalRows = results.stream().mapToInt(NabResultFile::rows).sum();
            c.score = new double[totalRows];
            c.value = new double[totalRows];
            c.window = new int[totalRows];
            c.windowCount = labels.windowCount();
            c.windowScorable = new boolean[c.windowCount];
            int g0 = 0;
            for (Map.Entry<String, List<NabWindow>> e : labels.windows().entrySet()) {
                c.addFile(byFile.get(e.getKey()), e.getValue(), g0);
                g0 += e.getValue().size();
            }
            return c;
        }

        private void addFile(NabResultFile r, List<NabWindow> windows, int g0) {
            int n = r.rows();
            LocalDateTime[] ts = r.timestamps();
            int w = windows.size();
            int[] left = new int[w];
            int[] right = new int[w];
            int from = 0;
            for (int k = 0; k < w; k++) {
                NabWindow win = windows.get(k);
                int l = from;
                while (l < n && ts[l].isBefore(win.start())) {
                    l++;
                }
                if (l == n || ts[l].isAfter(win.end())) {
                    throw new IllegalArgumentException(r.file() + ": window " + win + " covers no row");
                }
                int rr = l;
                while (!ts[rr].equals(win.end()) && rr + 1 < n && !ts[rr + 1].isAfter(win.end())) {
                    rr++;
                }
                left[k] = l;
                right[k] = rr;
                from = rr + 1;
            }
            double probation = probationaryLength(n);
            double maxTp = scaledSigmoid(-1.0);
            int firstPoint = points;
            int probRows = 0;
            int next = 0;           // next window not yet ended
            int prevRight = -1;     // last row of the last ended window
            int prevWidth = 0;
            for (int i = 0; i < n; i++) {
                boolean inside = next < w && i >= left[next];
                double v;
                if (inside) {
                    double width = right[next] - left[next] + 1;
                    double position = -(right[next] - i + 1) / width;
                    v = scaledSigmoid(position) * profile.tpWeight() / maxTp;
                } else if (prevRight < 0) {
                    v = scaledSigmoid(3.0) * profile.fpWeight();
                } else {
                    double position = Math.abs(prevRight - i) / (double) (prevWidth - 1);
                    v = scaledSigmoid(position) * profile.fpWeight();
                }
                if (i < probation) {
                    probRows++;
                } else {
                    score[points] = r.anomalyScores()[i];
                    value[points] = v;
                    window[points] = inside ? g0 + next : -1;
                    if (inside) {
                        windowScorable[g0 + next] = true;
                    }
                    points++;
                }
                if (inside && i == right[next]) {
                    prevRight = i;
                    prevWidth = right[next] - left[next] + 1;
                    next++;
                }
            }
            files.add(r.file());
            fileRowsAndProbation.add(new int[] {n, probRows});
            fileWindowRange.add(new int[] {g0, g0 + w});
            filePointRange.add(new int[] {firstPoint, points});
        }

        private double[] initialParts() {
            double[] parts = new double[windowCount];
            for (int g = 0; g < windowCount; g++) {
                parts[g] = windowScorable[g] ? -profile.fnWeight() : 0.0;
            }
            return parts;
        }

        List<NabThresholdScore> sweep() {
            Integer[] order = new Integer[points];
            double max = Double.NEGATIVE_INFINITY;
            long inWindows = 0;
            for (int p = 0; p < points; p++) {
                order[p] = p;
                max = Math.max(max, score[p]);
                if (window[p] >= 0) {
                    inWindows++;
                }
            }
            Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
            double[] parts = initialParts();
            double fpSum = 0;
            long tp = 0;
            long fp = 0;
            long fn = inWindows;
            long tn = points - inWindows;
            double none = max < NO_DETECTION_THRESHOLD ? NO_DETECTION_THRESHOLD : Math.nextUp(max);
            List<NabThresholdScore> out = new ArrayList<>();
            out.add(new NabThresholdScore(none, total(fpSum, parts), new NabCounts(tp, tn, fp, fn)));
            int k = 0;
            while (k < points) {
                double s = score[order[k]];
                while (k < points && score[order[k]] == s) {
                    int p = order[k++];
                    int g = window[p];
                    if (g < 0) {
                        fp++;
                        tn--;
                        fpSum += value[p];
                    } else {
                        tp++;
                        fn--;
                        parts[g] = Math.max(parts[g], value[p]);
                    }
                }
                out.add(new NabThresholdScore(s, total(fpSum, parts), new NabCounts(tp, tn, fp, fn)));
            }
            return out;
        }

        private static double total(double fpSum, double[] parts) {
            double t = fpSum;
            for (double v : parts) {
                t += v;
            }
            return t;
        }

        NabResult evaluate(String detector, Profile profile, double threshold) {
            double[] parts = initialParts();
            boolean[] detected = new boolean[windowCount];
            List<NabFileScore> fileScores = new ArrayList<>();
            double raw = 0;
            NabCounts counts = NabCounts.ZERO;
            int detectedTotal = 0;
            int scorableTotal = 0;
            for (int f = 0; f < files.size(); f++) {
                int[] pr = filePointRange.get(f);
                int[] wr = fileWindowRange.get(f);
                double fpSum = 0;
                long tp = 0;
                long tn = 0;
                long fp = 0;
                long fn = 0;
                for (int p = pr[0]; p < pr[1]; p++) {
                    boolean fires = score[p] >= threshold;
                    int g = window[p];
                    if (g < 0) {
                        if (fires) {
                            fp++;
                            fpSum += value[p];
                        } else {
                            tn++;
                        }
                    } else if (fires) {
                        tp++;
                        parts[g] = Math.max(parts[g], value[p]);
                        detected[g] = true;
                    } else {
                        fn++;
                    }
                }
                double fileRaw = fpSum;
                int det = 0;
                int scorable = 0;
                for (int g = wr[0]; g < wr[1]; g++) {
                    fileRaw += parts[g];
                    det += detected[g] ? 1 : 0;
                    scorable += windowScorable[g] ? 1 : 0;
                }
                NabCounts fc = new NabCounts(tp, tn, fp, fn);
                int[] rp = fileRowsAndProbation.get(f);
                fileScores.add(new NabFileScore(files.get(f), fileRaw, fc, rp[0], rp[1], wr[1] - wr[0], scorable, det, fp));
                raw += fileRaw;
                counts = counts.plus(fc);
                detectedTotal += det;
                scorableTotal += scorable;
            }
            double nullScore = -profile.fnWeight() * scorableTotal;
            double perfect = profile.tpWeight() * windowCount;
            double normalized = windowCount == 0 ? Double.NaN : 100 * (raw - nullScore) / (perfect - nullScore);
            return new NabResult(detector, profile, normalized, threshold, raw, nullScore, perfect, counts,
                    windowCount, detectedTotal, scorableTotal - detectedTotal, counts.fp(), List.copyOf(fileScores));
        }
    }
}

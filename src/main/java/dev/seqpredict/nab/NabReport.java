package dev.seqpredict.nab;

import java.util.Locale;

/** Plain-text rendering of a {@link NabResult} (used by the {@code nab-score} command). */
public final class NabReport {
    private NabReport() {
    }

    public static String format(NabResult r, boolean perFile) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-20s %-18s score %8.2f  threshold %s%n",
                r.detector(), r.profile().nabName(), r.normalizedScore(), threshold(r.threshold())));
        sb.append(String.format(Locale.ROOT, "  raw %.4f  null %.4f  perfect %.4f%n",
                r.rawScore(), r.nullScore(), r.perfectScore()));
        sb.append(String.format(Locale.ROOT, "  windows %d: detected %d, missed %d; false-positive detections %d%n",
                r.windows(), r.windowsDetected(), r.windowsMissed(), r.fpDetections()));
        NabCounts c = r.counts();
        sb.append(String.format(Locale.ROOT, "  rows (NAB counts): tp %d  tn %d  fp %d  fn %d%n", c.tp(), c.tn(), c.fp(), c.fn()));
        if (perFile) {
            for (NabFileScore f : r.files()) {
                sb.append(String.format(Locale.ROOT, "  %-60s raw %9.4f  windows %d/%d  fp %d  (rows %d, probation %d)%n",
                        f.file(), f.rawScore(), f.windowsDetected(), f.windows(), f.fpDetections(), f.rows(),
                        f.probationaryRows()));
            }
        }
        return sb.toString();
    }

    private static String threshold(double t) {
        return t == NabScorer.NO_DETECTION_THRESHOLD ? "1.1 (never fires)" : Double.toString(t);
    }
}

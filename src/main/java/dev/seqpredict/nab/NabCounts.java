package dev.seqpredict.nab;

/**
 * NAB's counts, as in the TP/TN/FP/FN columns of its {@code *_scores.csv}: <b>rows</b> after the
 * probationary period, not windows. tp = rows inside a window at or above the threshold, fn = rows inside
 * a window below it, fp = rows outside every window at or above it, tn = the rest. The window-level view
 * (windows detected / missed) is in {@link NabResult} and {@link NabFileScore}.
 */
public record NabCounts(long tp, long tn, long fp, long fn) {
    public static final NabCounts ZERO = new NabCounts(0, 0, 0, 0);

    public NabCounts plus(NabCounts o) {
        return new NabCounts(tp + o.tp, tn + o.tn, fp + o.fp, fn + o.fn);
    }

    public long total() {
        return tp + tn + fp + fn;
    }
}

package dev.seqpredict.train;

import dev.seqpredict.model.Task;
import java.util.List;

/**
 * What a source yielded: one {@link Series} per key in order of first appearance, the task the data is
 * for, the feature names (regression) and where it came from. {@code sessions}: every series is one whole
 * session (a sessions file: a line's start and end are the session's), so a classification model learns
 * where sessions begin and end.
 */
public record SeriesSet(Task task, List<String> featureNames, List<Series> series, String source, boolean sessions) {

    /** Keyed streams (CSV, Kafka, generated data): a series is a key's history, not a whole session. */
    public SeriesSet(Task task, List<String> featureNames, List<Series> series, String source) {
        this(task, featureNames, series, source, false);
    }

    public SeriesSet {
        featureNames = List.copyOf(featureNames);
        series = List.copyOf(series);
    }

    public long rows() {
        long n = 0;
        for (Series s : series) {
            n += s.length();
        }
        return n;
    }

    public int featureCount() {
        return featureNames.size();
    }

    /** The earliest timestamp (numeric order when every timestamp is a number, else the first read), or null. */
    public String firstTs() {
        return tsBound(true);
    }

    /** The latest timestamp (numeric order when every timestamp is a number, else the last read), or null. */
    public String lastTs() {
        return tsBound(false);
    }

    private String tsBound(boolean first) {
        String firstRead = null;
        String lastRead = null;
        double best = first ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        String bestText = null;
        boolean numeric = true;
        for (Series s : series) {
            if (s.ts() == null) {
                continue;
            }
            for (String t : s.ts()) {
                if (t == null) {
                    continue;
                }
                if (firstRead == null) {
                    firstRead = t;
                }
                lastRead = t;
                if (numeric) {
                    try {
                        double v = Double.parseDouble(t);
                        if (first ? v < best : v > best) {
                            best = v;
                            bestText = t;
                        }
                    } catch (NumberFormatException e) {
                        numeric = false;
                    }
                }
            }
        }
        if (firstRead == null) {
            return null;
        }
        return numeric ? bestText : (first ? firstRead : lastRead);
    }
}

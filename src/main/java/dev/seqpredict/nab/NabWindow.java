package dev.seqpredict.nab;

import java.time.LocalDateTime;
import java.util.Objects;

/** One labelled anomaly window {@code [start, end]} (both inclusive), as in NAB's combined_windows.json. */
public record NabWindow(LocalDateTime start, LocalDateTime end) {
    public NabWindow {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("window ends before it starts: [" + start + ", " + end + "]");
        }
    }

    public static NabWindow parse(String start, String end) {
        return new NabWindow(NabTimestamps.parse(start), NabTimestamps.parse(end));
    }
}

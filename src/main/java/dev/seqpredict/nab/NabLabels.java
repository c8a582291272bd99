package dev.seqpredict.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * NAB's label windows per data file, keyed by the data file's relative path
 * ({@code realKnownCause/nyc_taxi.csv}); read from {@code labels/combined_windows.json}.
 * Windows of a file are sorted by start and must not overlap.
 */
public record NabLabels(Map<String, List<NabWindow>> windows) {

    public NabLabels {
        TreeMap<String, List<NabWindow>> copy = new TreeMap<>();
        windows.forEach((file, ws) -> {
            List<NabWindow> sorted = new ArrayList<>(ws);
            sorted.sort(Comparator.comparing(NabWindow::start));
            for (int i = 1; i < sorted.size(); i++) {
                if (!sorted.get(i).start().isAfter(sorted.get(i - 1).end())) {
                    throw new IllegalArgumentException("overlapping windows in " + file + ": "
                            + sorted.get(i - 1) + " and " + sorted.get(i));
                }
            }
            copy.put(file, List.copyOf(sorted));
        });
        windows = Collections.unmodifiableMap(copy);
    }

    public static NabLabels read(Path combinedWindowsJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(combinedWindowsJson.toFile());
        if (root == null || !root.isObject()) {
            throw new IOException(combinedWindowsJson + ": expected a JSON object {file: [[start, end], ...]}");
        }
        Map<String, List<NabWindow>> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<NabWindow> ws = new ArrayList<>();
            for (JsonNode w : e.getValue()) {
                if (!w.isArray() || w.size() != 2) {
                    throw new IOException(combinedWindowsJson + ": window of " + e.getKey() + " is not [start, end]: " + w);
                }
                ws.add(NabWindow.parse(w.get(0).asText(), w.get(1).asText()));
            }
            out.put(e.getKey(), ws);
        }
        return new NabLabels(out);
    }

    /** The same labels for only the given files (e.g. to score a subset of the corpus). */
    public NabLabels restrictTo(Set<String> files) {
        Map<String, List<NabWindow>> out = new TreeMap<>();
        for (String f : files) {
            List<NabWindow> ws = windows.get(f);
            if (ws == null) {
                throw new IllegalArgumentException("no labels for " + f);
            }
            out.put(f, ws);
        }
        return new NabLabels(out);
    }

    public int windowCount() {
        return windows.values().stream().mapToInt(List::size).sum();
    }
}

package dev.seqpredict.nab;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One detector result file: the rows' timestamps and anomaly scores, for the data file {@code file}
 * (relative path as in the labels, e.g. {@code realKnownCause/nyc_taxi.csv}).
 * Scores must be finite (NaN is rejected). Timestamps are kept in row order and need not be increasing:
 * NAB's own data files have duplicate and backward timestamps (e.g. at a DST change).
 */
public record NabResultFile(String file, LocalDateTime[] timestamps, double[] anomalyScores) {

    public NabResultFile {
        Objects.requireNonNull(file, "file");
        if (timestamps.length != anomalyScores.length) {
            throw new IllegalArgumentException(file + ": " + timestamps.length + " timestamps but "
                    + anomalyScores.length + " anomaly scores");
        }
        for (int i = 0; i < timestamps.length; i++) {
            if (!Double.isFinite(anomalyScores[i])) {
                throw new IllegalArgumentException(file + ": anomaly_score at row " + i + " is " + anomalyScores[i]);
            }
        }
    }

    public int rows() {
        return timestamps.length;
    }

    /** The path of NAB's result file for {@code dataFile} ({@code category/name.csv}) and {@code detector}. */
    public static Path resultPath(Path resultsDir, String detector, String dataFile) {
        String f = dataFile.replace('\\', '/');
        int slash = f.lastIndexOf('/');
        String category = slash < 0 ? "" : f.substring(0, slash);
        String name = f.substring(slash + 1);
        Path dir = resultsDir.resolve(detector);
        if (!category.isEmpty()) {
            dir = dir.resolve(category);
        }
        return dir.resolve(detector + "_" + name);
    }

    /**
     * Reads a NAB result CSV: a header naming at least {@code timestamp} and {@code anomaly_score}
     * (other columns, e.g. {@code value,label}, are ignored), then one row per record.
     */
    public static NabResultFile read(Path csv, String file) throws IOException {
        List<LocalDateTime> ts = new ArrayList<>();
        double[] scores = new double[1024];
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                throw new IOException(csv + ": empty file");
            }
            String[] cols = header.replace("\uFEFF", "").split(",", -1);
            int tCol = -1;
            int sCol = -1;
            for (int i = 0; i < cols.length; i++) {
                String c = unquote(cols[i]);
                if (c.equals("timestamp")) {
                    tCol = i;
                } else if (c.equals("anomaly_score")) {
                    sCol = i;
                }
            }
            if (tCol < 0 || sCol < 0) {
                throw new IOException(csv + ": header must name 'timestamp' and 'anomaly_score', got: " + header);
            }
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length <= Math.max(tCol, sCol)) {
                    throw new IOException(csv + ":" + lineNo + ": too few columns: " + line);
                }
                try {
                    ts.add(NabTimestamps.parse(f[tCol]));
                    if (ts.size() > scores.length) {
                        scores = java.util.Arrays.copyOf(scores, scores.length * 2);
                    }
                    scores[ts.size() - 1] = Double.parseDouble(unquote(f[sCol]));
                } catch (IllegalArgumentException e) {
                    throw new IOException(csv + ":" + lineNo + ": " + e.getMessage(), e);
                }
            }
        }
        try {
            return new NabResultFile(file, ts.toArray(LocalDateTime[]::new), java.util.Arrays.copyOf(scores, ts.size()));
        } catch (IllegalArgumentException e) {
            throw new IOException(csv + ": " + e.getMessage(), e);
        }
    }

    private static String unquote(String s) {
        String t = s.trim();
        if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }
}

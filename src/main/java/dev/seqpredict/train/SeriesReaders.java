package dev.seqpredict.train;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.seqpredict.model.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads training and evaluation data from files. Unlike {@code predict}, which skips bad rows, these
 * readers stop at the first bad row with a {@link DataException} naming the file, line and problem: a
 * model trained on silently dropped data is worse than no model.
 *
 * <ul>
 *   <li>CSV, the {@code predict} layout: header {@code key,ts,<feature...>} (regression) or
 *       {@code key,ts,event} (classification); one sequence per key, its rows in file order.</li>
 *   <li>Sessions: one sequence of event ids per line, separated by spaces (classification); blank lines
 *       and lines starting with {@code #} are skipped.</li>
 * </ul>
 */
public final class SeriesReaders {

    private SeriesReaders() {
    }

    /**
     * Reads a CSV. {@code task} null infers it from the header ({@code key,ts,event} is classification).
     */
    public static SeriesSet csv(Path file, Task task) {
        requireFile(file);
        CsvMapper csv = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
        Map<String, Builder> byKey = new LinkedHashMap<>();
        List<String> featureNames;
        boolean classification;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<String[]> rows = csv.readerFor(String[].class).readValues(reader)) {
            if (!rows.hasNextValue()) {
                throw new DataException("input " + file + " is empty: expected a header key,ts,...");
            }
            String[] header = trim(rows.nextValue());
            if (header.length < 3 || !header[0].equals("key") || !header[1].equals("ts")) {
                throw new DataException("input " + file + ": the header must be key,ts,<features...> or key,ts,event (got "
                        + String.join(",", header) + ")");
            }
            boolean eventHeader = header.length == 3 && header[2].equals("event");
            classification = task == null ? eventHeader : task == Task.CLASSIFICATION;
            if (classification && !eventHeader) {
                throw new DataException("input " + file + ": classification data needs the header key,ts,event (got "
                        + String.join(",", header) + ")");
            }
            if (!classification && eventHeader) {
                throw new DataException("input " + file + " has an 'event' column: that is classification data, "
                        + "but the task is regression");
            }
            featureNames = classification ? List.of() : List.of(Arrays.copyOfRange(header, 2, header.length));
            int columns = header.length;
            while (true) {
                String[] row;
                long line;
                try {
                    if (!rows.hasNextValue()) {
                        break;
                    }
                    line = rows.getCurrentLocation().getLineNr();
                    row = rows.nextValue();
                } catch (RuntimeException e) {
                    throw new DataException("input " + file + " is not valid CSV near line "
                            + rows.getCurrentLocation().getLineNr() + ": " + e.getMessage());
                }
                if (row.length == 1 && row[0].isBlank()) {
                    continue;
                }
                String where = file + ":" + line + ": ";
                if (row.length != columns) {
                    throw new DataException(where + "expected " + columns + " columns (" + String.join(",", header)
                            + "), found " + row.length);
                }
                String key = row[0].trim();
                if (key.isEmpty()) {
                    throw new DataException(where + "empty key");
                }
                Builder b = byKey.computeIfAbsent(key, Builder::new);
                b.ts.add(row[1].trim());
                if (classification) {
                    String event = row[2].trim();
                    if (event.isEmpty()) {
                        throw new DataException(where + "empty event");
                    }
                    b.events.add(event);
                } else {
                    float[] x = new float[columns - 2];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = parseFinite(row[2 + i], where + "column " + (3 + i) + " (" + header[2 + i] + ")");
                    }
                    b.values.add(x);
                }
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (byKey.isEmpty()) {
            throw new DataException("input " + file + " has a header but no rows");
        }
        List<Series> series = new ArrayList<>();
        byKey.values().forEach(b -> series.add(b.build(true)));
        return new SeriesSet(classification ? Task.CLASSIFICATION : Task.REGRESSION, featureNames, series,
                file.toString());
    }

    /** Reads a sessions file: one sequence of event ids per line, space-separated. */
    public static SeriesSet sessions(Path file) {
        requireFile(file);
        List<Series> series = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNr = 0;
            while ((line = in.readLine()) != null) {
                lineNr++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] events = t.split("\\s+");
                series.add(new Series("line " + lineNr, null, null, events));
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (series.isEmpty()) {
            throw new DataException("input " + file + " is empty: expected one session per line (event ids separated by spaces)");
        }
        return new SeriesSet(Task.CLASSIFICATION, List.of(), series, file.toString(), true);
    }

    static float parseFinite(String text, String where) {
        String v = text.trim();
        float f;
        try {
            f = Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new DataException(where + " is not a number: '" + v + "'");
        }
        if (!Float.isFinite(f)) {
            throw new DataException(where + " is not finite: '" + v + "'");
        }
        return f;
    }

    private static String[] trim(String[] a) {
        String[] out = new String[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].trim();
        }
        return out;
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataException("input file not found: " + file);
        }
    }

    /** Collects one key's events. */
    static final class Builder {
        final String key;
        final List<String> ts = new ArrayList<>();
        final List<float[]> values = new ArrayList<>();
        final List<String> events = new ArrayList<>();

        Builder(String key) {
            this.key = key;
        }

        Series build(boolean withTs) {
            return new Series(key, withTs ? ts.toArray(String[]::new) : null,
                    values.isEmpty() ? null : values.toArray(float[][]::new),
                    events.isEmpty() ? null : events.toArray(String[]::new));
        }
    }
}

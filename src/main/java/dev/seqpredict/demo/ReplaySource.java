package dev.seqpredict.demo;

import dev.seqpredict.model.Task;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Real CSV files (NAB layout: {@code timestamp,value}) replayed as a stream, one key per file named after
 * it; the first 15% of each file is the history the initial model is trained on (NAB's probationary
 * period). Rows keep their own timestamps; a live step sends the next row of every file.
 */
final class ReplaySource implements EventSource {
    private static final DateTimeFormatter NAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]");

    private final List<String> keys = new ArrayList<>();
    private final List<long[]> ts = new ArrayList<>();
    private final List<float[]> values = new ArrayList<>();
    private final int historySteps;

    ReplaySource(List<Path> files) {
        int shortest = Integer.MAX_VALUE;
        for (Path f : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
            if (lines.size() < 3 || !lines.get(0).trim().equals("timestamp,value")) {
                throw new IllegalArgumentException(f + ": expected a header timestamp,value and at least two rows");
            }
            long[] t = new long[lines.size() - 1];
            float[] v = new float[lines.size() - 1];
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",");
                try {
                    t[i - 1] = LocalDateTime.parse(cells[0].trim(), NAB_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
                    v[i - 1] = Float.parseFloat(cells[1].trim());
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(f + ":" + (i + 1) + ": cannot read row '" + lines.get(i) + "'");
                }
            }
            String name = f.getFileName().toString().replaceFirst("\\.csv$", "");
            keys.add(name);
            ts.add(t);
            values.add(v);
            shortest = Math.min(shortest, t.length);
        }
        this.historySteps = Math.max(2, (int) (0.15 * shortest));
    }

    @Override
    public SeriesSet history() {
        List<Series> series = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            String[] t = new String[historySteps];
            float[][] v = new float[historySteps][];
            for (int i = 0; i < historySteps; i++) {
                t[i] = Long.toString(ts.get(k)[i]);
                v[i] = new float[] {values.get(k)[i]};
            }
            series.add(new Series(keys.get(k), t, v, null));
        }
        return new SeriesSet(Task.REGRESSION, List.of("value"), series, "first 15% of " + keys.size() + " replayed file(s)");
    }

    @Override
    public int firstLiveStep() {
        return historySteps;
    }

    @Override
    public List<Emitted> step(int step) {
        List<Emitted> out = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            if (step < ts.get(k).length) {
                long t = ts.get(k)[step];
                float v = values.get(k)[step];
                out.add(new Emitted(keys.get(k), step, t, "{\"ts\":" + t + ",\"values\":[" + v + "]}", v, false));
            }
        }
        return out;
    }

    @Override
    public int regimeChangeStep() {
        return -1;
    }

    @Override
    public List<String> plotKeys() {
        return keys.subList(0, Math.min(3, keys.size()));
    }

    @Override
    public boolean logEvents() {
        return false;
    }
}

package dev.seqpredict.train;

import dev.seqpredict.model.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Generated data for training tests: deterministic for a seed. */
final class TestData {
    private TestData() {
    }

    /** Noisy sine waves, one per key, each with its own period, amplitude and level; ts one minute apart. */
    static SeriesSet sines(int keys, int length, double noise, long seed) {
        Random r = new Random(seed);
        List<Series> series = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            double period = 16 + r.nextInt(16);
            double amplitude = 1 + r.nextDouble();
            double level = 10 * r.nextDouble();
            double phase = 2 * Math.PI * r.nextDouble();
            float[][] v = new float[length][1];
            String[] ts = new String[length];
            for (int t = 0; t < length; t++) {
                v[t][0] = (float) (level + amplitude * Math.sin(2 * Math.PI * t / period + phase) + noise * r.nextGaussian());
                ts[t] = Long.toString(1_700_000_000L + 60L * t);
            }
            series.add(new Series("sensor-" + k, ts, v, null));
        }
        return new SeriesSet(Task.REGRESSION, List.of("value"), series, "sines");
    }

    /**
     * Sessions from a grammar that a bigram cannot learn: S, then A or B, three X, then EA after A or EB after
     * B, then F; repeated {@code repeats} times per session. Predicting EA/EB needs to remember the A/B
     * four events back and to count the X's.
     */
    static SeriesSet grammar(int sessions, int repeats, long seed) {
        Random r = new Random(seed);
        List<Series> series = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            List<String> ev = new ArrayList<>();
            for (int i = 0; i < repeats; i++) {
                boolean a = r.nextBoolean();
                ev.add("S");
                ev.add(a ? "A" : "B");
                ev.add("X");
                ev.add("X");
                ev.add("X");
                ev.add(a ? "EA" : "EB");
                ev.add("F");
            }
            series.add(new Series("session-" + s, null, null, ev.toArray(String[]::new)));
        }
        return new SeriesSet(Task.CLASSIFICATION, List.of(), series, "grammar");
    }
}

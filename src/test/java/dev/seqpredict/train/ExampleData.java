package dev.seqpredict.train;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Writes {@code examples/sensors.csv}, the README's quick-start data: a few temperature sensors read every
 * 30 minutes (a daily cycle of 48 readings, a slow drift, noise), rows interleaved by time as a stream
 * delivers them. Deterministic: run {@code main} again and the file is byte for byte the same.
 */
public final class ExampleData {

    public static final int SENSORS = 4;
    public static final int ROWS_PER_SENSOR = 300;
    public static final long START_MS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    public static final long STEP_MS = 30 * 60 * 1000L;

    private ExampleData() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "examples/sensors.csv");
        write(out);
        System.out.println("wrote " + out);
    }

    public static void write(Path file) throws IOException {
        Random r = new Random(2026);
        double[] level = new double[SENSORS];
        double[] amplitude = new double[SENSORS];
        double[] phase = new double[SENSORS];
        double[] drift = new double[SENSORS];
        for (int s = 0; s < SENSORS; s++) {
            level[s] = 18 + 6 * r.nextDouble();
            amplitude[s] = 2 + 3 * r.nextDouble();
            phase[s] = 2 * Math.PI * r.nextDouble();
            drift[s] = (r.nextDouble() - 0.5) * 0.01;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("key,ts,value\n");
            for (int t = 0; t < ROWS_PER_SENSOR; t++) {
                for (int s = 0; s < SENSORS; s++) {
                    double v = level[s] + drift[s] * t + amplitude[s] * Math.sin(2 * Math.PI * t / 48.0 + phase[s])
                            + 0.2 * r.nextGaussian();
                    w.write(String.format(Locale.ROOT, "sensor-%d,%d,%.2f%n", s + 1, START_MS + t * STEP_MS, v));
                }
            }
        }
    }
}

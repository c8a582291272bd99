package dev.seqpredict.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two JSON ends of an event's path (BENCHMARKS §5c): reading a bench-shaped sensor event (8 random floats,
 * as {@code seqpredict bench} sends them) and writing a prediction. {@code readValues} reads the 8 values with
 * Jackson's {@code getDoubleValue}, with the fast double parser on or off ({@code fast}), the only difference;
 * {@code parse} is the whole {@link EventParser#parse} (fast parser on) and {@code write} {@link PredictionJson#toBytes}
 * (an LSTM-like prediction; {@code writeEcho} the identity model's, whose values have 4 decimals; {@code
 * writeGeneratorPerRecord} the same record written the way PredictionJson did before: a generator per record).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonCodecBenchmark {
    private static final int EVENTS = 64;

    @Param({"true", "false"})
    public boolean fast;

    private byte[][] events;
    private JsonFactory factory;
    private final JsonFactory writeFactory = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private EventParser parser;
    private Prediction prediction;
    private Prediction echo;
    private int next;

    @Setup
    public void setUp() {
        Random r = new Random(5);
        events = new byte[EVENTS][];
        for (int i = 0; i < EVENTS; i++) {
            StringBuilder b = new StringBuilder("{\"ts\":").append(1_700_000_000_000L + i).append(",\"values\":[");
            for (int v = 0; v < 8; v++) {
                b.append(v == 0 ? "" : ",").append((float) r.nextGaussian());
            }
            events[i] = b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        }
        var f = JsonFactory.builder();
        factory = (fast ? f.enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER) : f.disable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)).build();
        parser = new EventParser(64 * 1024);
        float[] values = new float[8];
        for (int v = 0; v < 8; v++) {
            values[v] = (float) r.nextGaussian();
        }
        // a sensor prediction as the bench's LSTM 8→64 job writes one: 8 forecast values, error, score
        prediction = new Prediction("k-1234", 1_700_000_000_000L, "bench", "1", dev.seqpredict.model.Task.REGRESSION,
                values, null, null, (float) r.nextDouble(), r.nextDouble(), false, null, 42, false);
        // the identity model's prediction: it echoes the event's values, which the bench sends with 4 decimals
        float[] echoed = new float[8];
        for (int v = 0; v < 8; v++) {
            echoed[v] = Float.parseFloat(String.format(java.util.Locale.ROOT, "%.4f", r.nextGaussian()));
        }
        echo = new Prediction("k-1234", 1_700_000_000_000L, "bench", "1", dev.seqpredict.model.Task.REGRESSION,
                echoed, null, null, (float) r.nextDouble(), r.nextDouble(), false, null, 42, false);
    }

    @Benchmark
    public double readValues() throws IOException {
        double sum = 0;
        try (JsonParser p = factory.createParser(events[next++ & (EVENTS - 1)])) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                    sum += p.getDoubleValue();
                }
            }
        }
        return sum;
    }

    @Benchmark
    public Object parse() {
        return parser.parse("k", events[next++ & (EVENTS - 1)]);
    }

    @Benchmark
    public byte[] write() {
        return PredictionJson.toBytes(prediction);
    }

    @Benchmark
    public byte[] writeEcho() {
        return PredictionJson.toBytes(echo);
    }

    /** The writer before 2026-12-04: a generator and its buffers per record (same factory settings). */
    @Benchmark
    public byte[] writeGeneratorPerRecord() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
        try (JsonGenerator g = writeFactory.createGenerator(bytes)) {
            PredictionJson.write(g, prediction);
        }
        return bytes.toByteArray();
    }
}

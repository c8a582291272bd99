package dev.seqpredict.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.seqpredict.model.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The predictions topic's JSON value (the record key is the entity id):
 * <pre>
 * {"key":"s1","ts":1700000000000,"model":"sensors","version":"3",
 *  "prediction":[21.4],                                   regression: next values
 *  "top":[{"event":"5","p":0.91},{"event":"22","p":0.05}], classification: top-k next events
 *  "error":0.42,            previous prediction vs this event (null on a key's first event)
 *  "anomaly_score":0.63, "anomaly":false,
 *  "in_top_g":true,         log streams only
 *  "events":17, "swapped":false}
 * </pre>
 * Floats are written in their shortest decimal form that reads back to the same float (Jackson's
 * Schubfach writer), so equal predictions give equal bytes on every JDK: JDK 17's own
 * {@code Float.toString} writes more digits than needed for about one float in nine, and JDK 19+ fixed
 * that, so a cluster with mixed or upgraded JDKs would otherwise write the same float two ways.
 *
 * <p>Each thread keeps one generator over one growing buffer and writes every prediction as a root value of
 * it, with no separator between root values: a generator and its buffers per record cost about as much as
 * the record's floats (BENCHMARKS §8). A write that throws half-way drops the thread's generator, so the
 * next record starts on a fresh one.
 */
public final class PredictionJson {
    private static final JsonFactory JSON = ((JsonFactoryBuilder) JsonFactory.builder())
            .rootValueSeparator((String) null)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    // field names pre-encoded once
    private static final SerializedString KEY = new SerializedString("key");
    private static final SerializedString TS = new SerializedString("ts");
    private static final SerializedString MODEL = new SerializedString("model");
    private static final SerializedString VERSION = new SerializedString("version");
    private static final SerializedString PREDICTION = new SerializedString("prediction");
    private static final SerializedString TOP = new SerializedString("top");
    private static final SerializedString EVENT = new SerializedString("event");
    private static final SerializedString P = new SerializedString("p");
    private static final SerializedString ERROR = new SerializedString("error");
    private static final SerializedString ANOMALY_SCORE = new SerializedString("anomaly_score");
    private static final SerializedString ANOMALY = new SerializedString("anomaly");
    private static final SerializedString IN_TOP_G = new SerializedString("in_top_g");
    private static final SerializedString EVENTS = new SerializedString("events");
    private static final SerializedString SWAPPED = new SerializedString("swapped");

    private static final int KEEP_BUFFER_BYTES = 16 * 1024;
    private static final ThreadLocal<Writer> WRITERS = ThreadLocal.withInitial(Writer::new);

    private PredictionJson() {
    }

    /** One thread's generator and the buffer it writes to. */
    private static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        private final JsonGenerator g;

        private Writer() {
            try {
                g = JSON.createGenerator(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static byte[] toBytes(Prediction p) {
        Writer w = WRITERS.get();
        w.bytes.reset();
        boolean whole = false;
        try {
            write(w.g, p);
            w.g.flush();
            whole = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!whole) { // the generator is inside a half-written object: the next record gets a fresh one
                WRITERS.remove();
            }
        }
        byte[] out = w.bytes.toByteArray();
        if (out.length > KEEP_BUFFER_BYTES) { // a rare large record does not keep its buffer for the thread's life
            WRITERS.remove();
        }
        return out;
    }

    /** p as one JSON object into g (package-private for JsonCodecBenchmark's generator-per-record baseline). */
    static void write(JsonGenerator g, Prediction p) throws IOException {
        g.writeStartObject();
        g.writeFieldName(KEY);
        g.writeString(p.key());
        g.writeFieldName(TS);
        g.writeNumber(p.ts());
        g.writeFieldName(MODEL);
        g.writeString(p.model());
        g.writeFieldName(VERSION);
        g.writeString(p.version());
        if (p.task() == Task.REGRESSION) {
            g.writeFieldName(PREDICTION);
            g.writeStartArray();
            for (float v : p.values()) {
                g.writeNumber(v);
            }
            g.writeEndArray();
        } else {
            g.writeFieldName(TOP);
            g.writeStartArray();
            for (int i = 0; i < p.topEvents().length; i++) {
                g.writeStartObject();
                g.writeFieldName(EVENT);
                g.writeString(p.topEvents()[i]);
                g.writeFieldName(P);
                g.writeNumber(p.topProbs()[i]);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeFieldName(ERROR);
        if (Float.isNaN(p.error())) {
            g.writeNull();
        } else {
            g.writeNumber(p.error());
        }
        g.writeFieldName(ANOMALY_SCORE);
        g.writeNumber(p.anomalyScore());
        g.writeFieldName(ANOMALY);
        g.writeBoolean(p.anomaly());
        if (p.inTopG() != null) {
            g.writeFieldName(IN_TOP_G);
            g.writeBoolean(p.inTopG());
        }
        g.writeFieldName(EVENTS);
        g.writeNumber(p.events());
        g.writeFieldName(SWAPPED);
        g.writeBoolean(p.swapped());
        g.writeEndObject();
    }
}

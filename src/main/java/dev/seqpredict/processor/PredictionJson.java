package dev.seqpredict.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
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
 */
public final class PredictionJson {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private PredictionJson() {
    }

    public static byte[] toBytes(Prediction p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("key", p.key());
            g.writeNumberField("ts", p.ts());
            g.writeStringField("model", p.model());
            g.writeStringField("version", p.version());
            if (p.task() == Task.REGRESSION) {
                g.writeArrayFieldStart("prediction");
                for (float v : p.values()) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            } else {
                g.writeArrayFieldStart("top");
                for (int i = 0; i < p.topEvents().length; i++) {
                    g.writeStartObject();
                    g.writeStringField("event", p.topEvents()[i]);
                    g.writeNumberField("p", p.topProbs()[i]);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (Float.isNaN(p.error())) {
                g.writeNullField("error");
            } else {
                g.writeNumberField("error", p.error());
            }
            g.writeNumberField("anomaly_score", p.anomalyScore());
            g.writeBooleanField("anomaly", p.anomaly());
            if (p.inTopG() != null) {
                g.writeBooleanField("in_top_g", p.inTopG());
            }
            g.writeNumberField("events", p.events());
            g.writeBooleanField("swapped", p.swapped());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}

package dev.seqpredict.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The verdicts topic's JSON value (the record key is the entity id, the record timestamp the session's last ts):
 * <pre>
 * {"key":"blk_1","first_ts":1700000000000,"last_ts":1700000004000,"events":3,
 *  "model":"hdfs","version":"2",          null when no event of the session was predicted
 *  "verdict":"anomalous",                 or "normal"
 *  "reason":"end",                        miss | end | a rejection reason (unknown_event, ...); null when normal
 *  "at":3,                                index of the first offending event (the event count for end); null when normal
 *  "closed_by":"gap"}                     gap | end
 * </pre>
 * Fields always in this order, so equal verdicts are equal bytes in both engines.
 */
public final class SessionJson {
    private static final JsonFactory JSON = new JsonFactory();

    private SessionJson() {
    }

    public static byte[] toBytes(ClosedSession c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("key", c.key());
            g.writeNumberField("first_ts", c.firstTs());
            g.writeNumberField("last_ts", c.lastTs());
            g.writeNumberField("events", c.events());
            g.writeStringField("model", c.model());
            g.writeStringField("version", c.version());
            g.writeStringField("verdict", c.verdict().anomalous() ? "anomalous" : "normal");
            g.writeStringField("reason", c.verdict().reason());
            if (c.verdict().anomalous()) {
                g.writeNumberField("at", c.verdict().at());
            } else {
                g.writeNullField("at");
            }
            g.writeStringField("closed_by", c.closedBy());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}

package dev.seqpredict.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Parses the events topic's JSON values without trusting them:
 * <pre>
 *   {"ts": 1700000000000 | "2024-01-01T00:00:00Z", "values": [1.5, 2.0]}   sensor event
 *   {"ts": ..., "event": 5 | "E5"}                                             log event
 * </pre>
 * An optional {@code "model"} string selects a model by name (when the job is configured to). Other
 * fields are ignored. Values must be JSON numbers: a string, boolean or null is rejected, never coerced.
 * Thread-safe.
 */
public final class EventParser {

    /** Default bound on one record's value. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 64 * 1024;
    /** Default bound on one record's key (the entity id), in UTF-8 bytes. */
    public static final int DEFAULT_MAX_KEY_BYTES = 1024;
    /** Bound on the values array, so a hostile record cannot make us allocate much. */
    public static final int MAX_VALUES = 4096;

    private final int maxEventBytes;
    private final int maxKeyBytes;
    /** The boolean field that marks a session's last event, or null (ignored like any other field). */
    private final String endField;
    private final JsonFactory json;

    public EventParser() {
        this(DEFAULT_MAX_EVENT_BYTES);
    }

    public EventParser(int maxEventBytes) {
        this(maxEventBytes, DEFAULT_MAX_KEY_BYTES);
    }

    public EventParser(int maxEventBytes, int maxKeyBytes) {
        this(maxEventBytes, maxKeyBytes, null);
    }

    /**
     * @param endField the field that marks the last event of a session ({@code true}/{@code false}, or those as
     *                 strings; anything else is rejected as wrong_type), or null to ignore it (sessions off)
     */
    public EventParser(int maxEventBytes, int maxKeyBytes, String endField) {
        this.maxEventBytes = maxEventBytes;
        this.maxKeyBytes = maxKeyBytes;
        this.endField = endField;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16)
                        .maxStringLength(maxEventBytes).maxNumberLength(64).build())
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // FastDoubleParser (in jackson-core): correctly rounded like Double.parseDouble, several times faster
                // on JDK 17: 467 vs 907 ns for 8 values (BENCHMARKS §5c)
                .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                // NaN and Infinity are read as numbers so they get the precise reason non_finite.
                .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build();
    }

    public int maxEventBytes() {
        return maxEventBytes;
    }

    public int maxKeyBytes() {
        return maxKeyBytes;
    }

    /** Either an event or the reason it is not one. */
    public record Result(Event event, Rejection rejection) {
        public boolean ok() {
            return event != null;
        }

        static Result reject(RejectReason reason, String detail) {
            return new Result(null, new Rejection(reason, detail));
        }
    }

    public Result parse(String key, byte[] value) {
        if (key == null || key.isEmpty()) {
            return Result.reject(RejectReason.MISSING_KEY, "record has no key (the entity id)");
        }
        // a UTF-8 char takes at most 3 bytes per UTF-16 unit: short keys need no count
        if (key.length() * 3L > maxKeyBytes) {
            int keyBytes = utf8Length(key);
            if (keyBytes > maxKeyBytes) {
                return Result.reject(RejectReason.OVERSIZED, "key is " + keyBytes + " bytes, limit " + maxKeyBytes);
            }
        }
        if (value == null || value.length == 0) {
            return Result.reject(RejectReason.MALFORMED, "empty value");
        }
        if (value.length > maxEventBytes) {
            return Result.reject(RejectReason.OVERSIZED, "value is " + value.length + " bytes, limit " + maxEventBytes);
        }
        try (JsonParser p = json.createParser(value)) {
            return parseObject(key, p);
        } catch (IOException | RuntimeException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            return Result.reject(RejectReason.MALFORMED, "not valid JSON: " + msg);
        }
    }

    private Result parseObject(String key, JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return Result.reject(RejectReason.MALFORMED, "value must be a JSON object");
        }
        Long ts = null;
        float[] values = null;
        String event = null;
        String model = null;
        boolean end = false;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (endField != null && field.equals(endField)) {
                if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                    end = v == JsonToken.VALUE_TRUE;
                } else if (v == JsonToken.VALUE_STRING && (p.getText().equalsIgnoreCase("true") || p.getText().equalsIgnoreCase("false"))) {
                    end = p.getText().equalsIgnoreCase("true");
                } else {
                    return Result.reject(RejectReason.WRONG_TYPE, endField + " must be true or false, got " + v);
                }
                continue;
            }
            switch (field) {
                case "ts" -> {
                    if (v == JsonToken.VALUE_NUMBER_INT) {
                        ts = p.getLongValue();
                    } else if (v == JsonToken.VALUE_STRING) {
                        Long parsed = parseInstant(p.getText());
                        if (parsed == null) {
                            return Result.reject(RejectReason.BAD_TIMESTAMP, "ts '" + p.getText()
                                    + "' is not ISO-8601 (e.g. 2024-01-01T00:00:00Z)");
                        }
                        ts = parsed;
                    } else {
                        return Result.reject(RejectReason.BAD_TIMESTAMP, "ts must be epoch milliseconds or an ISO-8601 string, got " + v);
                    }
                }
                case "values" -> {
                    if (v != JsonToken.START_ARRAY) {
                        return Result.reject(RejectReason.WRONG_TYPE, "values must be an array of numbers, got " + v);
                    }
                    Object parsed = parseValues(p);
                    if (parsed instanceof Result r) {
                        return r;
                    }
                    values = (float[]) parsed;
                }
                case "event" -> {
                    if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_STRING) {
                        event = p.getText();
                        if (event.isEmpty()) {
                            return Result.reject(RejectReason.MALFORMED, "event is an empty string");
                        }
                    } else {
                        return Result.reject(RejectReason.WRONG_TYPE, "event must be an integer id or a name, got " + v);
                    }
                }
                case "model" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        return Result.reject(RejectReason.WRONG_TYPE, "model must be a string, got " + v);
                    }
                    model = p.getText();
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            return Result.reject(RejectReason.MALFORMED, "unexpected " + t);
        }
        if (p.nextToken() != null) {
            return Result.reject(RejectReason.MALFORMED, "trailing content after the JSON object");
        }
        if (ts == null) {
            return Result.reject(RejectReason.MALFORMED, "missing field ts");
        }
        if ((values == null) == (event == null)) {
            return Result.reject(RejectReason.MALFORMED, values == null
                    ? "needs either values (sensor event) or event (log event)"
                    : "has both values and event; send one");
        }
        return new Result(new Event(key, ts, values, event, model, end), null);
    }

    /** Returns float[] or a rejecting Result. */
    private static Object parseValues(JsonParser p) throws IOException {
        float[] buf = new float[8];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                return Result.reject(RejectReason.MALFORMED, "unterminated values array");
            }
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                p.skipChildren();
                return Result.reject(RejectReason.WRONG_TYPE, "values[" + n + "] is not a number: "
                        + (t == JsonToken.VALUE_STRING ? "\"" + truncate(p.getText()) + "\"" : t.asString() == null ? t.toString() : t.asString()));
            }
            if (n == MAX_VALUES) {
                return Result.reject(RejectReason.OVERSIZED, "more than " + MAX_VALUES + " values");
            }
            double d = p.getDoubleValue();
            float f = (float) d;
            if (!Float.isFinite(f)) {
                return Result.reject(RejectReason.NON_FINITE, "values[" + n + "] = " + truncate(p.getText()) + " is not a finite float");
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = f;
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static String truncate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static Long parseInstant(String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}

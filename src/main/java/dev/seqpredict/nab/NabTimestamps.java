package dev.seqpredict.nab;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * Parses NAB timestamps: {@code 2014-02-19 10:50:00} in data and result files,
 * {@code 2014-02-19 10:50:00.000000} in label files (any 0-9 fraction digits; 'T' accepted for ' ').
 */
public final class NabTimestamps {
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd")
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    private NabTimestamps() {
    }

    public static LocalDateTime parse(String text) {
        String t = text.trim();
        if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
            t = t.substring(1, t.length() - 1);
        }
        try {
            return LocalDateTime.parse(t, FORMAT);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a NAB timestamp (yyyy-MM-dd HH:mm:ss[.ffffff]): '" + text + "'", e);
        }
    }
}

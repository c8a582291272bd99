package dev.seqpredict.train;

import java.util.Locale;

/** How the validation data is held out. */
public enum Split {
    /**
     * The last fraction of every key's events. The validation metric steps each key from a zero state
     * over its whole history, as the stream does, and scores only the predictions of the held-out tail.
     */
    TAIL,
    /** The last fraction of the keys (sequences) in input order, each stepped and scored from its start. */
    KEYS;

    public static Split fromId(String id) {
        return valueOf(id.trim().toUpperCase(Locale.ROOT));
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}

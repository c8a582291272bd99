package dev.seqpredict.processor;

import java.util.Locale;

/** Which model serves an event, when a job serves several named models. */
public enum ModelSelection {
    /** One model for all keys: the one named by the configured default model name. */
    SINGLE,
    /** The model whose name equals the event's key (e.g. one model per sensor). */
    KEY,
    /** The model named by the event's {@code "model"} field, else the default model. */
    FIELD;

    public static ModelSelection fromId(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown model selection '" + s + "'; expected single, key or field");
        }
    }
}

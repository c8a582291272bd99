package dev.seqpredict.processor;

import java.util.Locale;

/**
 * What happens to a key's recurrent state when the model serving it changes. Applied lazily, on the
 * key's next event.
 */
public enum SwapPolicy {
    /** Keep h (and c) as they are when the new model's state has the same shape; otherwise reset. */
    KEEP,
    /** Start the key from a zero state under the new model. */
    RESET,
    /**
     * Start from zero and replay the key's last W inputs (kept in state) through the new model before
     * predicting, so predictions do not degrade after a swap. Default when W &gt; 0.
     */
    REWARM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SwapPolicy fromId(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown swap policy '" + s + "'; expected keep, reset or rewarm");
        }
    }
}

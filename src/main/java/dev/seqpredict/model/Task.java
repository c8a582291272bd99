package dev.seqpredict.model;

import java.util.Locale;

/** What the linear head on the top layer predicts. */
public enum Task {
    /** The next values of the features (de-normalized). */
    REGRESSION,
    /** A probability for each event id of the vocabulary (softmax). */
    CLASSIFICATION;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Task fromId(String id) {
        if (id != null) {
            for (Task t : values()) {
                if (t.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown task '" + id + "'; expected regression or classification");
    }

    @Override
    public String toString() {
        return id();
    }
}

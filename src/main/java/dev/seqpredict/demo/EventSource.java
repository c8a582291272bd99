package dev.seqpredict.demo;

import dev.seqpredict.train.SeriesSet;
import java.util.List;

/**
 * Where the demo's events come from: a simulator or a replayed file. A source has a history (what
 * exists before the demo starts, for the initial model) and then yields the live events step by step.
 */
interface EventSource {

    /** One event to send: the record key, its JSON value, and its value for the plot (NaN for log events). */
    record Emitted(String key, int step, long ts, String json, double value, boolean fault) {
    }

    /** The history the initial model is trained on. */
    SeriesSet history();

    /** The first live step. */
    int firstLiveStep();

    /** The events of one live step (all keys), or an empty list when the source is exhausted. */
    List<Emitted> step(int step);

    /** The step at which the data changes regime (for the before/after comparison), or -1. */
    int regimeChangeStep();

    /** Keys whose values the plot shows. */
    List<String> plotKeys();

    /** The kind of model this source needs: true for log events (classification). */
    boolean logEvents();

    /** For a session source: whether the key's session was made to deviate; null when unknown or not sessions. */
    default Boolean abnormalSession(String key) {
        return null;
    }
}

package dev.seqpredict.processor;

/** The result of processing one event for one key. */
public sealed interface Outcome {

    /** The event was predicted; {@code state} is the key's new state, to be stored. */
    record Predicted(KeyState state, Prediction prediction) implements Outcome {
    }

    /** The event was rejected; the key's state is untouched. */
    record Rejected(Rejection rejection) implements Outcome {
    }
}

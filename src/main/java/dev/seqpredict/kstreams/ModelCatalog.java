package dev.seqpredict.kstreams;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Links the global model store's processor (global thread) to the prediction processors (stream
 * threads) of one application instance: the global processor bumps {@link #generation()} after each
 * change it makes to the store, and a prediction processor re-reads the store only when the
 * generation moved, so the per-event cost of model tracking is one volatile read.
 */
final class ModelCatalog {
    private final AtomicLong generation = new AtomicLong();

    long generation() {
        return generation.get();
    }

    void changed() {
        generation.incrementAndGet();
    }
}

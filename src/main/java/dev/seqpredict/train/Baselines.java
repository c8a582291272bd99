package dev.seqpredict.train;

import dev.seqpredict.model.Task;
import java.util.ArrayList;
import java.util.List;

/** Fits the naive baselines. */
public final class Baselines {
    private Baselines() {
    }

    /**
     * The bigram baseline fitted on the evaluated data itself (an optimistic baseline: it has seen the
     * answers), or null for regression, whose baseline (the last value) needs no fitting.
     */
    public static Evaluator.BigramBaseline inSample(SeriesSet data) {
        if (data.task() != Task.CLASSIFICATION) {
            return null;
        }
        List<String[]> seqs = new ArrayList<>();
        data.series().forEach(s -> seqs.add(s.events()));
        return new Evaluator.BigramBaseline(seqs);
    }
}

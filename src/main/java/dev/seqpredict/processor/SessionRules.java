package dev.seqpredict.processor;

/**
 * How a session is judged ({@link OpenSession}).
 *
 * @param topG           an event (or the end) is normal when among the top g predicted
 * @param endRule        judge where the session ended too (models with an end symbol only)
 * @param minEndProbability the end is normal only when its predicted probability is at least this too (0: rank
 *                       only). Among the many symbols a model gives ~0 probability after a prefix the rank is
 *                       noise: sessions that stop after 2-3 keys had p(END) 2e-6..5e-6 at rank 4-5 in one
 *                       HDFS training and 4e-9..2e-7 at rank 11-12 in another, while real ends had p(END) ≥ 0.06
 *                       in both. Events are judged by rank only (a floor on them flagged rare but normal
 *                       transitions).
 */
public record SessionRules(int topG, boolean endRule, double minEndProbability) {

    /** The floor detect-sessions uses by default (measured on HDFS, docs/real-data.md). */
    public static final double DEFAULT_MIN_END_PROBABILITY = 1e-3;

    public SessionRules {
        if (topG < 1) {
            throw new IllegalArgumentException("g must be ≥ 1, got " + topG);
        }
        if (!(minEndProbability >= 0 && minEndProbability < 1)) {
            throw new IllegalArgumentException("the end's probability floor must be in [0, 1), got " + minEndProbability);
        }
    }

    /** Rank only, as DeepLog: top g, end rule on. */
    public static SessionRules topG(int g) {
        return new SessionRules(g, true, 0);
    }

    /** Whether an end predicted at rank {@code rank} with probability {@code p} counts as expected. */
    boolean expectedEnd(int rank, double p) {
        return rank < topG && p >= minEndProbability;
    }
}

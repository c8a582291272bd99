package dev.seqpredict.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds plausible abnormal sessions from normal ones, one per normal session and kind, deterministically
 * for a seed: a missing step, a repeated step, two adjacent different steps out of order, or an id never
 * seen in normal data inserted, or the session cut short (its log stops after k keys, 1 ≤ k < n, as for
 * HDFS blocks whose log just ends). A mutant equal to a known normal session is not abnormal: another
 * position is tried (up to 50 times), else the session yields no mutant of that kind.
 */
public final class AbnormalSessions {

    public enum Kind {
        /** One event removed. */
        MISSING,
        /** One event repeated right after itself. */
        REPEATED,
        /** Two adjacent, different events swapped. */
        OUT_OF_ORDER,
        /** An id absent from every normal session inserted. */
        UNSEEN,
        /** Only the first k events (1 ≤ k < n, uniformly): the session stops early. */
        TRUNCATED;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Set<String> normal = new HashSet<>();
    private final List<String> unseenIds;
    private final long seed;

    /**
     * @param knownNormal every normal session known (a mutant must differ from all of them)
     * @param unseenIds   ids to insert for {@link Kind#UNSEEN}; null: the ids 1..28 (HDFS log keys) absent from
     *                    {@code knownNormal}, or "unseen" if there is none
     */
    public AbnormalSessions(List<String[]> knownNormal, List<String> unseenIds, long seed) {
        Set<String> seen = new TreeSet<>();
        for (String[] s : knownNormal) {
            normal.add(String.join(" ", s));
            seen.addAll(Arrays.asList(s));
        }
        if (unseenIds == null) {
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 28; i++) {
                if (!seen.contains(Integer.toString(i))) {
                    ids.add(Integer.toString(i));
                }
            }
            unseenIds = ids.isEmpty() ? List.of("unseen") : ids;
        }
        this.unseenIds = List.copyOf(unseenIds);
        this.seed = seed;
    }

    public List<String> unseenIds() {
        return unseenIds;
    }

    /** The mutant of session number {@code index} of the given kind, or null when none differs from normal data. */
    public String[] mutate(String[] session, int index, Kind kind) {
        Random r = new Random(seed * 1_000_003L + index * 31L + kind.ordinal());
        for (int attempt = 0; attempt < 50; attempt++) {
            String[] m = once(session, kind, r);
            if (m != null && !normal.contains(String.join(" ", m))) {
                return m;
            }
        }
        return null;
    }

    /** Mutants of every session (sessions that yield none are left out). */
    public List<String[]> mutateAll(List<String[]> sessions, Kind kind) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            String[] m = mutate(sessions.get(i), i, kind);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    private String[] once(String[] s, Kind kind, Random r) {
        int n = s.length;
        List<String> l = new ArrayList<>(Arrays.asList(s));
        switch (kind) {
            case MISSING -> {
                if (n < 3) {
                    return null;
                }
                l.remove(r.nextInt(n));
            }
            case REPEATED -> {
                int i = r.nextInt(n);
                l.add(i + 1, s[i]);
            }
            case OUT_OF_ORDER -> {
                if (n < 2) {
                    return null;
                }
                int i = r.nextInt(n - 1);
                if (s[i].equals(s[i + 1])) {
                    return null;
                }
                l.set(i, s[i + 1]);
                l.set(i + 1, s[i]);
            }
            case UNSEEN -> l.add(1 + r.nextInt(n), unseenIds.get(r.nextInt(unseenIds.size())));
            case TRUNCATED -> {
                if (n < 2) {
                    return null;
                }
                return Arrays.copyOf(s, 1 + r.nextInt(n - 1));
            }
        }
        return l.toArray(String[]::new);
    }
}

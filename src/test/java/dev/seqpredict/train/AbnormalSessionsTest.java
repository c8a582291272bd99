package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AbnormalSessionsTest {

    private static final List<String[]> NORMAL = List.of(
            "5 5 5 22 11 9 11 9 26 26".split(" "),
            "5 22 5 5 11 9 11 9 26 26 4 3".split(" "),
            "5 5 22 5 11 9 26".split(" "));

    @Test
    void everyKindChangesTheSessionAsNamedAndNeverYieldsANormalOne() {
        AbnormalSessions gen = new AbnormalSessions(NORMAL, null, 3);
        assertThat(gen.unseenIds()).doesNotContain("5", "22", "11", "9", "26", "4", "3").contains("1", "28");
        for (int i = 0; i < NORMAL.size(); i++) {
            String[] s = NORMAL.get(i);
            String[] missing = gen.mutate(s, i, AbnormalSessions.Kind.MISSING);
            String[] repeated = gen.mutate(s, i, AbnormalSessions.Kind.REPEATED);
            String[] swapped = gen.mutate(s, i, AbnormalSessions.Kind.OUT_OF_ORDER);
            String[] unseen = gen.mutate(s, i, AbnormalSessions.Kind.UNSEEN);
            assertThat(missing).hasSize(s.length - 1);
            assertThat(repeated).hasSize(s.length + 1);
            assertThat(swapped).hasSize(s.length);
            assertThat(unseen).hasSize(s.length + 1);
            assertThat(unseen[0]).isEqualTo(s[0]);
            assertThat(Arrays.stream(unseen).filter(gen.unseenIds()::contains)).hasSize(1);
            for (String[] m : List.of(missing, repeated, swapped, unseen)) {
                assertThat(NORMAL).noneSatisfy(n -> assertThat(n).isEqualTo(m));
            }
            // deterministic
            assertThat(gen.mutate(s, i, AbnormalSessions.Kind.OUT_OF_ORDER)).isEqualTo(swapped);
            assertThat(new AbnormalSessions(NORMAL, null, 3).mutate(s, i, AbnormalSessions.Kind.MISSING)).isEqualTo(missing);
        }
    }
}

package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The truncated kind: a normal session cut after k keys, 1 ≤ k < n, never equal to a known normal session. */
class TruncatedSessionsTest {

    @Test
    void aTruncatedSessionIsAProperPrefixThatIsNotNormal() {
        List<String[]> normal = List.of(
                "5 22 11 9 26 21".split(" "),
                "5 22 11 9 26 21 21".split(" "),
                "5 22".split(" "),
                "7".split(" "));
        AbnormalSessions gen = new AbnormalSessions(normal, null, 3);
        int lengthsSeen = 0;
        for (int i = 0; i < 50; i++) {
            String[] s = normal.get(i % 2);
            String[] t = gen.mutate(s, i, AbnormalSessions.Kind.TRUNCATED);
            assertThat(t).isNotNull();
            assertThat(t.length).isBetween(1, s.length - 1);
            assertThat(t).isEqualTo(Arrays.copyOf(s, t.length));
            assertThat(String.join(" ", t)).isNotIn("5 22", "5 22 11 9 26 21"); // known normal sessions
            lengthsSeen |= 1 << t.length;
        }
        assertThat(Integer.bitCount(lengthsSeen)).as("several cut points").isGreaterThan(2);
        assertThat(gen.mutate(normal.get(3), 0, AbnormalSessions.Kind.TRUNCATED)).isNull(); // one key: nothing to cut
        assertThat(gen.mutate(normal.get(0), 7, AbnormalSessions.Kind.TRUNCATED))
                .isEqualTo(gen.mutate(normal.get(0), 7, AbnormalSessions.Kind.TRUNCATED));
    }
}

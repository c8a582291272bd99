package dev.seqpredict.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The session state's bytes: round trip, a fixed layout, and corrupt bytes fail with a clear exception. */
class KeySessionCodecTest {

    @Test
    void aSessionRoundTrips() {
        KeySession s = new KeySession(new OpenSession(10, 20, 3, "miss", 2), 25);
        KeySession back = KeySessionCodec.fromBytes(KeySessionCodec.toBytes(s));
        assertThat(back.lastClock()).isEqualTo(25);
        assertThat(back.session()).usingRecursiveComparison().isEqualTo(s.session());
        KeySession normal = new KeySession(new OpenSession(10, 10, 1, null, -1), 10);
        assertThat(KeySessionCodec.fromBytes(KeySessionCodec.toBytes(normal)).session().reason()).isNull();
    }

    @Test
    void theLayoutIsVersionTwo() {
        KeySession s = new KeySession(new OpenSession(1, 2, 3, null, -1), 4, 5);
        byte[] b = KeySessionCodec.toBytes(s);
        assertThat(HexFormat.of().formatHex(b)).isEqualTo("02" + "0000000000000001" + "0000000000000002" + "00000003"
                + "00" + "0000000000000004" + "0000000000000005");
        assertThat(KeySessionCodec.fromBytes(b).timerAt()).isEqualTo(5);
    }

    @Test
    void versionOneStillReadsWithItsTimerAtTheDeadline() {
        byte[] v1 = HexFormat.of().parseHex("01" + "0000000000000001" + "0000000000000002" + "00000003"
                + "00" + "0000000000000004");
        KeySession s = KeySessionCodec.fromBytes(v1);
        assertThat(s.lastClock()).isEqualTo(4);
        assertThat(s.session().events()).isEqualTo(3);
        assertThat(s.timerAt()).isEqualTo(KeySession.AT_DEADLINE);
        assertThat(s.timer(100)).isEqualTo(104);
    }

    @Test
    void corruptBytesFailClearly() {
        byte[] good = KeySessionCodec.toBytes(new KeySession(new OpenSession(10, 20, 3, "miss", 2), 25));
        for (int n = 0; n < good.length; n++) { // every truncation
            byte[] cut = Arrays.copyOf(good, n);
            assertThatThrownBy(() -> KeySessionCodec.fromBytes(cut))
                    .isInstanceOf(KeySessionCodec.CorruptSessionException.class).hasMessageContaining("corrupt session state");
        }
        byte[] version = good.clone();
        version[0] = 9;
        assertThatThrownBy(() -> KeySessionCodec.fromBytes(version)).hasMessageContaining("format version 9");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> KeySessionCodec.fromBytes(trailing)).hasMessageContaining("trailing");
        byte[] flag = KeySessionCodec.toBytes(new KeySession(new OpenSession(1, 2, 3, null, -1), 4));
        flag[21] = 7;
        assertThatThrownBy(() -> KeySessionCodec.fromBytes(flag)).hasMessageContaining("reason flag 7");
    }
}

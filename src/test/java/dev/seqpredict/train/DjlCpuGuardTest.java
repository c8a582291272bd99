package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The guard every DJL use goes through (issue 15): oneDNN is off in libtorch, and the startup self-check (a tiny
 * LSTM/GRU forward against the core's step) passes. On the AMD EPYC family 26 machine the issue was found on, the
 * self-check's difference with oneDNN left on ({@code -Dseqpredict.djl.onednn=on}) is 0.04–0.13, so this test
 * and {@link StreamingEqualsBatchDjlTest} fail there without the guard.
 */
class DjlCpuGuardTest {

    @Test
    void oneDnnIsOffAndTheSelfCheckAgreesWithTheCore() {
        DjlNetwork.engine(3);
        DjlCpuGuard.Status status = DjlCpuGuard.status();
        assertThat(status).isNotNull();
        if (System.getProperty(DjlCpuGuard.PROPERTY) == null) {
            assertThat(status.oneDnnEnabled()).as(status.detail()).isFalse();
            assertThat(status.detail()).isEqualTo("oneDNN turned off");
        }
        assertThat(status.maxDifference()).as(status.detail()).isLessThanOrEqualTo(1e-6f);
        assertThat(status.agrees()).isTrue();
    }

    @Test
    void theSwitchIsReadBackFromLibtorch() {
        DjlNetwork.engine(3);
        // turning it on and off again goes through libtorch's own getter: a symbol that changed would fail here
        boolean was = DjlCpuGuard.status().oneDnnEnabled();
        try {
            assertThat(DjlCpuGuard.setOneDnn(true)).isNull();
            assertThat(DjlCpuGuard.setOneDnn(false)).isNull();
        } finally {
            DjlCpuGuard.setOneDnn(was);
        }
    }

    @Test
    void ensureIsIdempotent() {
        DjlNetwork.engine(5);
        assertThat(DjlCpuGuard.ensure()).isSameAs(DjlCpuGuard.ensure());
    }
}

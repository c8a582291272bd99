package dev.seqpredict.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.processor.SessionRules;
import dev.seqpredict.processor.SessionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * The events' watermarks with sessions on ({@link PredictionJob#eventWatermarks}): bounded out-of-orderness
 * ({@code sessions.out.of.orderness.ms}), and {@code sessions.idle.ms}: a partition without records for that long
 * (on the input-activity clock, driven by hand here; counted from the first periodic check that found no record) is
 * marked idle so it stops holding the watermark back; 0 never.
 */
class SessionWatermarksTest {

    private static SessionSettings settings(long outOfOrdernessMs, long idleMs) {
        return new SessionSettings(1000, null, SessionSettings.DEFAULT_END_FIELD, true,
                SessionRules.DEFAULT_MIN_END_PROBABILITY, 0, outOfOrdernessMs, idleMs, "verdicts");
    }

    private static final class Out implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        int idle;

        @Override
        public void emitWatermark(Watermark w) {
            watermarks.add(w.getTimestamp());
        }

        @Override
        public void markIdle() {
            idle++;
        }

        @Override
        public void markActive() {
        }
    }

    private static WatermarkGenerator<EventRecord> generator(SessionSettings s, ManualClock clock) {
        return PredictionJob.eventWatermarks(s).createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        });
    }

    @Test
    void aPartitionWithoutRecordsForTheIdleTimeIsMarkedIdle() {
        ManualClock clock = new ManualClock(1_000_000_000L);
        var g = generator(settings(200, 500), clock);
        Out out = new Out();
        g.onEvent(null, 10_000, out);
        g.onPeriodicEmit(out); // saw a record
        assertThat(out.watermarks).last().isEqualTo(10_000L - 200 - 1);
        g.onPeriodicEmit(out); // the first check without one: the idle time counts from here (Flink's IdlenessTimer)
        clock.advanceTime(Duration.ofMillis(500));
        g.onPeriodicEmit(out);
        assertThat(out.idle).isZero();
        clock.advanceTime(Duration.ofMillis(1));
        g.onPeriodicEmit(out);
        assertThat(out.idle).isEqualTo(1);
        g.onEvent(null, 10_500, out); // a record: active again, the watermark moves on
        g.onPeriodicEmit(out);
        assertThat(out.idle).isEqualTo(1);
        assertThat(out.watermarks).last().isEqualTo(10_500L - 200 - 1);
    }

    @Test
    void idleZeroNeverMarksAPartitionIdle() {
        ManualClock clock = new ManualClock(1_000_000_000L);
        var g = generator(settings(0, 0), clock);
        Out out = new Out();
        g.onEvent(null, 10_000, out);
        for (int i = 0; i < 5; i++) {
            clock.advanceTime(Duration.ofHours(1));
            g.onPeriodicEmit(out);
        }
        assertThat(out.idle).isZero();
        assertThat(out.watermarks).isNotEmpty().allMatch(w -> w == 10_000L - 1);
    }
}

package dev.seqpredict.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running demo (broker, the Flink job, its trained initial model, the default job settings) flags the
 * spikes its simulator injects: each one on its own event or the key's next, and few other events. A fixed
 * number of live steps makes the injected faults the same on every run.
 */
class DemoFlagsInjectedFaultsTest {

    @TempDir
    Path out;

    @Test
    @Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
    void everyInjectedFaultIsFlaggedWithinTwoEvents() throws Exception {
        int sensors = 100;
        int liveSteps = 150;
        // no regime change and no retraining inside the run: the faults are the only thing to flag
        Demo.Options o = new Demo.Options("flink", "sensors", sensors, 192, 100_000, 25, Duration.ofMinutes(3), liveSteps,
                Duration.ofHours(1), 8, 12, 4, 0.0, null, null, 0, out, 7, false);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Demo.Summary s = new Demo(o, new PrintStream(console, true), StreamEngines::create).run(() -> false);

        assertThat(s.predictions()).as("console:%n%s", console).isEqualTo((long) sensors * liveSteps);
        assertThat(s.producedFaults()).as("faults injected after each key's first %d live steps", Demo.QUIET_STEPS)
                .isGreaterThanOrEqualTo(10);
        // a fault on a key's last event is flagged on that event or cannot be judged: no next event follows
        SensorSimulator sim = new SensorSimulator(7, sensors, Integer.MAX_VALUE, Demo.FAULT_RATE, 0);
        int last = 0;
        for (int k = 0; k < sensors; k++) {
            last += sim.reading(k, 192 + liveSteps - 1).fault() ? 1 : 0;
        }
        assertThat(s.faultsFlagged() + s.faultsMissed()).as("every fault judged").isBetween(s.producedFaults() - last,
                s.producedFaults());
        assertThat(s.missedFaults()).as("faults not flagged within 2 events; console:%n%s", console).isEmpty();
        long others = s.anomalies() - s.faultsFlagged(); // includes a spike's return, flagged as well
        double perThousand = 1000.0 * others / (s.predictions() - s.producedFaults());
        System.out.printf("demo: %d of %d injected faults flagged; %d other anomalies (%.2f per 1,000 events)%n",
                s.faultsFlagged(), s.producedFaults(), others, perThousand);
        assertThat(perThousand).as("other anomalies per 1,000 events").isLessThan(10.0);
        assertThat(console.toString()).contains("injected faults");
    }
}

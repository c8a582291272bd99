package dev.seqpredict.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo's whole loop, small and bounded: broker, simulated sensors with a regime change, the job,
 * retraining through the gate, hot swap, live stats, plot.
 */
class DemoEndToEndTest {

    @TempDir
    Path out;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"flink", "kstreams"})
    @Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
    void retrainsAfterTheRegimeChangeAndSwapsTheBetterModelIn(String engine) throws Exception {
        int sensors = 12;
        Demo.Options o = new Demo.Options(engine, "sensors", sensors, 192, 40, 40, Duration.ofMinutes(4), 0,
                Duration.ofSeconds(6), 8, 12, 4, 0.01, null, null, 0, out, 7, false);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Demo demo = new Demo(o, new PrintStream(console, true), StreamEngines::create);
        Demo.Summary s = demo.run(() -> {
            Map<String, Long> byVersion = demo.predictionsByVersion();
            // enough of the stream after a swap to compare the versions on the new regime
            return byVersion.size() >= 2 && byVersion.values().stream().skip(1).mapToLong(Long::longValue).sum() >= 40L * sensors;
        });

        assertThat(s.keysPredicted()).containsAll(s.keysProduced()).hasSize(sensors);
        assertThat(s.predictions()).isEqualTo(s.produced());
        assertThat(s.versions()).as("console:%n%s", console).hasSizeGreaterThanOrEqualTo(2).startsWith("1");
        assertThat(s.swappedKeys()).isGreaterThanOrEqualTo(sensors);
        List<String> versions = s.versions();
        double before = s.maeAfterRegimeChange().get("1");
        double after = s.maeAfterRegimeChange().get(versions.get(versions.size() - 1));
        assertThat(after).as("MAE on the new regime: v1 %.3f, retrained %.3f", before, after).isLessThan(before);
        assertThat(s.producedBad()).isPositive();
        assertThat(s.deadLetters()).isEqualTo(s.producedBad());
        assertThat(s.dlqByReason()).isNotEmpty();
        BufferedImage img = ImageIO.read(s.plot().toFile());
        assertThat(img).isNotNull();
        assertThat(img.getHeight()).isGreaterThan(200);
        assertThat(console.toString()).contains("summary").contains("published model default v1");
    }
}

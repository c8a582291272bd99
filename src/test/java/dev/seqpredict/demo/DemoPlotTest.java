package dev.seqpredict.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoPlotTest {

    @TempDir
    Path dir;

    @Test
    void writesAValidPngWithOnePanelPerKey() throws Exception {
        SensorSimulator sim = new SensorSimulator(1, 2, 150, 0.01);
        DemoPlot.Track a = new DemoPlot.Track(SensorSimulator.key(0));
        DemoPlot.Track b = new DemoPlot.Track(SensorSimulator.key(1));
        for (int t = 0; t < 300; t++) {
            for (DemoPlot.Track tr : List.of(a, b)) {
                SensorSimulator.Reading r = sim.reading(tr == a ? 0 : 1, t);
                double prev = t == 0 ? Double.NaN : sim.reading(tr == a ? 0 : 1, t - 1).value();
                tr.add(t, r.value(), prev, r.fault(), t == 200 ? "2" : null);
            }
        }
        Path png = DemoPlot.write(List.of(a, b), dir.resolve("plot.png"), "test");
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(1100);  // one panel per key, stacked
        assertThat(img.getHeight()).isEqualTo(520);
    }

    @Test
    void theLegendNamesTheModelSwapsOnce() {
        DemoPlot.Track a = new DemoPlot.Track("k");
        for (int t = 0; t < 300; t++) {
            a.add(t, Math.sin(t / 10.0), Double.NaN, false, t == 100 ? "2" : t == 200 ? "3" : t == 250 ? "4" : null);
        }
        var chart = DemoPlot.charts(List.of(a), "test").get(0);
        var inLegend = chart.getSeriesMap().values().stream().filter(s -> s.isShowInLegend())
                .map(s -> s.getName()).toList();
        assertThat(inLegend.stream().filter(n -> n.contains("takes over")).toList())
                .containsExactly("model takes over: v2, v3, v4");
        assertThat(chart.getSeriesMap().values().stream().filter(s -> s.getName().contains("takes over"))).hasSize(3);
    }

    @Test
    void simulatorIsDeterministicAndChangesRegime() {
        SensorSimulator s1 = new SensorSimulator(5, 3, 200, 0.0);
        SensorSimulator s2 = new SensorSimulator(5, 3, 200, 0.0);
        assertThat(s1.reading(2, 77)).isEqualTo(s2.reading(2, 77));
        // the mean over a day shifts after the regime change (the new cycle adds +amplitude)
        double before = 0;
        double after = 0;
        for (int t = 0; t < SensorSimulator.DAY; t++) {
            before += s1.reading(0, 100 + t - SensorSimulator.DAY).value();
            after += s1.reading(0, 200 + t).value();
        }
        assertThat(after / SensorSimulator.DAY - before / SensorSimulator.DAY).isGreaterThan(1.5);
    }
}

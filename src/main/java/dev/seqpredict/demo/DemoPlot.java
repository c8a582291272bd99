package dev.seqpredict.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The demo's closing picture: for a few keys, the actual values against the one-step forecasts made
 * before them, with the moments a new model version took over and the events flagged as anomalies.
 */
public final class DemoPlot {

    /** What the plot needs of one key's history. */
    public static final class Track {
        final String key;
        final List<Double> step = new ArrayList<>();
        final List<Double> actual = new ArrayList<>();
        final List<Double> forecastStep = new ArrayList<>();
        final List<Double> forecast = new ArrayList<>();
        final List<Double> anomalyStep = new ArrayList<>();
        final List<Double> anomalyValue = new ArrayList<>();
        final List<Double> swapStep = new ArrayList<>();
        final List<String> swapVersion = new ArrayList<>();
        double regimeChangeStep = Double.NaN;

        public Track(String key) {
            this.key = key;
        }

        /**
         * Adds one event: its actual value and the forecast that had been made for it (NaN when none),
         * whether it was flagged, and the model version when this event was the key's first under it.
         */
        public synchronized void add(double x, double actualValue, double forecastForThis, boolean anomaly, String swappedTo) {
            step.add(x);
            actual.add(actualValue);
            if (!Double.isNaN(forecastForThis)) {
                forecastStep.add(x);
                forecast.add(forecastForThis);
            }
            if (anomaly) {
                anomalyStep.add(x);
                anomalyValue.add(actualValue);
            }
            if (swappedTo != null) {
                swapStep.add(x);
                swapVersion.add(swappedTo);
            }
        }

        /** Marks where the data changed regime (drawn as a grey line). */
        public synchronized void markRegimeChange(double x) {
            if (Double.isNaN(regimeChangeStep)) {
                regimeChangeStep = x;
            }
        }

        public synchronized int size() {
            return step.size();
        }

        public String key() {
            return key;
        }
    }

    private DemoPlot() {
    }

    /** Writes one PNG with a panel per track, stacked vertically. */
    public static Path write(List<Track> tracks, Path file, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        List<XYChart> charts = charts(tracks, title);
        if (charts.isEmpty()) {
            throw new IOException("nothing to plot: no events were recorded for the plotted keys");
        }
        String base = file.toString().endsWith(".png") ? file.toString().substring(0, file.toString().length() - 4) : file.toString();
        BitmapEncoder.saveBitmap(charts, charts.size(), 1, base, BitmapEncoder.BitmapFormat.PNG);
        return Path.of(base + ".png");
    }

    /** One chart per track that has events. */
    static List<XYChart> charts(List<Track> tracks, String title) {
        List<XYChart> charts = new ArrayList<>();
        for (Track t : tracks) {
            synchronized (t) {
                if (t.step.isEmpty()) {
                    continue;
                }
                XYChart c = new XYChartBuilder().width(1100).height(260)
                        .title(title + " — " + t.key).xAxisTitle("event").yAxisTitle("value").build();
                c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
                c.getStyler().setXAxisTickMarkSpacingHint(120);
                c.getStyler().setMarkerSize(5);
                XYSeries a = c.addSeries("actual", t.step, t.actual);
                a.setMarker(SeriesMarkers.NONE);
                a.setLineColor(new Color(60, 60, 60));
                if (!t.forecast.isEmpty()) {
                    XYSeries f = c.addSeries("forecast (made one event earlier)", t.forecastStep, t.forecast);
                    f.setMarker(SeriesMarkers.NONE);
                    f.setLineColor(new Color(31, 119, 180));
                    f.setLineStyle(new BasicStroke(1.2f));
                }
                if (!t.anomalyStep.isEmpty()) {
                    XYSeries an = c.addSeries("anomaly flagged", t.anomalyStep, t.anomalyValue);
                    an.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                    an.setMarker(SeriesMarkers.CIRCLE);
                    an.setMarkerColor(Color.RED);
                }
                double lo = t.actual.stream().mapToDouble(Double::doubleValue).min().orElse(0);
                double hi = t.actual.stream().mapToDouble(Double::doubleValue).max().orElse(1);
                if (!Double.isNaN(t.regimeChangeStep)) {
                    XYSeries r = c.addSeries("regime change", new double[] {t.regimeChangeStep, t.regimeChangeStep},
                            new double[] {lo, hi});
                    r.setMarker(SeriesMarkers.NONE);
                    r.setLineColor(Color.GRAY);
                    r.setLineStyle(new BasicStroke(2f));
                }
                // one legend entry for all swaps (series names must be unique; the others are hidden from it)
                String swaps = "model takes over: " + t.swapVersion.stream().map(v -> "v" + v)
                        .collect(java.util.stream.Collectors.joining(", "));
                for (int i = 0; i < t.swapStep.size(); i++) {
                    double x = t.swapStep.get(i);
                    XYSeries s = c.addSeries(i == 0 ? swaps : swaps + " ".repeat(i),
                            new double[] {x, x}, new double[] {lo, hi});
                    s.setShowInLegend(i == 0);
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineColor(new Color(44, 160, 44));
                    s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                }
                charts.add(c);
            }
        }
        return charts;
    }
}

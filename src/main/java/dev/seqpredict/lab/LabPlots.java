package dev.seqpredict.lab;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The lab's PNGs (XChart, the demo's style): small, one idea per picture. */
final class LabPlots {

    static final Color[] COLORS = {new Color(214, 39, 40), new Color(31, 119, 180), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(255, 127, 14), new Color(140, 86, 75)};

    private LabPlots() {
    }

    /** Test error (normalized MSE) against the lag, one line per cell. */
    static Path errorVsLag(Map<String, double[]> byCell, int[] lags, Path file) throws IOException {
        XYChart c = new XYChartBuilder().width(640).height(400)
                .title("Recall the marked value: test error vs lag").xAxisTitle("lag T (steps back)")
                .yAxisTitle("test MSE / Var(target)").build();
        style(c);
        double[] x = new double[lags.length];
        for (int i = 0; i < lags.length; i++) {
            x[i] = lags[i];
        }
        int k = 0;
        for (var e : byCell.entrySet()) {
            XYSeries s = c.addSeries(e.getKey(), x, e.getValue());
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(COLORS[k % COLORS.length]);
            s.setMarkerColor(COLORS[k++ % COLORS.length]);
        }
        XYSeries ref = c.addSeries("no memory (predict 0)", new double[] {x[0], x[x.length - 1]}, new double[] {1, 1});
        ref.setMarker(SeriesMarkers.NONE);
        ref.setLineColor(Color.GRAY);
        ref.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        return save(List.of(c), 1, file);
    }

    /** ‖∂L/∂h_t‖ against t on a log axis: a panel at initialization and one after training. */
    static Path gradientNorms(Map<String, double[]> atInit, Map<String, double[]> trained, int initSteps,
                              int trainedSteps, Path file)
            throws IOException {
        List<XYChart> charts = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            Map<String, double[]> m = p == 0 ? atInit : trained;
            int steps = p == 0 ? initSteps : trainedSteps;
            XYChart c = new XYChartBuilder().width(640).height(400)
                    .title("‖∂L/∂h_t‖, T = " + (steps - 1) + (p == 0 ? ", at initialization" : ", after training"))
                    .xAxisTitle("t (loss at the last step, t = " + (steps - 1) + ")").yAxisTitle("gradient norm").build();
            style(c);
            c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
            c.getStyler().setXAxisTickMarkSpacingHint(70);
            c.getStyler().setYAxisLogarithmic(true);
            int k = 0;
            for (var e : m.entrySet()) {
                double[] y = e.getValue().clone();
                double[] x = new double[y.length];
                for (int t = 0; t < y.length; t++) {
                    x[t] = t;
                    y[t] = Math.max(y[t], 1e-30);
                }
                XYSeries s = c.addSeries(e.getKey(), x, y);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(COLORS[k++ % COLORS.length]);
            }
            charts.add(c);
        }
        return save(charts, 2, file);
    }

    /** Per-cell costs relative to the RNN's, measured in the same run. */
    static Path speed(List<String> cells, Map<String, double[]> relative, Path file) throws IOException {
        CategoryChart c = new CategoryChartBuilder().width(640).height(380)
                .title("Cost relative to the vanilla RNN (same run)").xAxisTitle("").yAxisTitle("× RNN").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        int k = 0;
        for (var e : relative.entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (double v : e.getValue()) {
                ys.add(v);
            }
            c.addSeries(e.getKey(), cells, ys).setFillColor(COLORS[(k++ + 1) % COLORS.length]);
        }
        return save(List.of(c), 1, file);
    }

    private static void style(XYChart c) {
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setMarkerSize(6);
    }

    private static Path save(List<? extends Chart<?, ?>> charts, int cols, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        String base = file.toString().endsWith(".png") ? file.toString().substring(0, file.toString().length() - 4)
                : file.toString();
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<Chart> list = (List) charts;
        int rows = (list.size() + cols - 1) / cols;
        BitmapEncoder.saveBitmap(list, rows, cols, base, BitmapEncoder.BitmapFormat.PNG);
        return Path.of(base + ".png");
    }
}

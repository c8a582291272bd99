package dev.seqpredict.lab;

import dev.seqpredict.model.CellType;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown tables of a {@link CompareLab.Result}. */
final class LabReport {

    private LabReport() {
    }

    static String markdown(CompareLab.Result r) {
        CompareLab.Options o = r.options();
        StringBuilder s = new StringBuilder();
        int h = o.hidden();
        int in = RecallTask.INPUT;
        s.append("# seqpredict compare").append(o.quick() ? " --quick" : "").append(" (seed ").append(o.seed()).append(")\n\n");
        s.append(String.format(Locale.ROOT, "Hidden size %d, 1 layer, input %d. Recall task: %d training and %d test sequences "
                        + "per lag, %d epochs of mini-batches of %d (%d updates), Adam lr %s, gradient clipping 1, same seed "
                        + "for every cell. `b_f+%s` / `b_z+%s`: the LSTM's forget-gate / GRU's update-gate input bias raised by %s "
                        + "at initialization (`b_i-%s`: the LSTM's input-gate bias lowered by as much); the other rows use PyTorch's "
                        + "initialization (U(±1/√H)). Run took %.0f s.%n%n",
                h, in, o.trainSize(), o.testSize(), o.epochs(), o.batch(), o.epochs() * (o.trainSize() / o.batch()),
                CompareLab.fmt(o.lr()), CompareLab.fmt(o.gateBias()), CompareLab.fmt(o.gateBias()),
                CompareLab.fmt(o.gateBias()), CompareLab.fmt(o.gateBias()), r.seconds()));

        s.append("## 1. Parameters and FLOPs per step (one layer)\n\n");
        s.append("| cell | formula h(x+h+2)·blocks | CellType.parametersPerLayer | DJL parameters | core model | FLOPs/step | × RNN |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|\n");
        long rnnFlops = CellMath.flopsPerStep(CellType.RNN_TANH, in, h);
        for (CompareLab.ParamRow p : r.params()) {
            if (!p.v().pytorchInit()) {
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %.2f |%n", p.v().name(), p.formula(),
                    p.cellType(), p.djl(), p.core(), p.flops(), (double) p.flops() / rnnFlops));
        }
        s.append("\nFLOPs: 2 per multiply-add of W_ih·x and W_hh·h, plus bias adds, plus element-wise work with every σ/tanh "
                + "counted as one operation (the linear head excluded).\n\n");

        s.append("## 2. Long-range dependency: recall the value marked T steps back\n\n");
        s.append("Test MSE / Var(target): 1 = nothing remembered (predicting the mean), 0 = perfect recall.\n\n");
        s.append("| cell |");
        for (int lag : o.lags()) {
            s.append(" T=").append(lag).append(" |");
        }
        s.append("\n|---|");
        s.append("---:|".repeat(o.lags().length)).append('\n');
        for (var e : r.errorByLag().entrySet()) {
            s.append("| ").append(e.getKey().name()).append(" |");
            for (double v : e.getValue()) {
                s.append(String.format(Locale.ROOT, " %.4f |", v));
            }
            s.append('\n');
        }

        s.append("\n## 3. Vanishing gradients: ‖∂L/∂h_t‖\n\n");
        s.append(String.format(Locale.ROOT, "L = squared error at the last step; mean over %d probe sequences. "
                + "Decades = log10(‖∂L/∂h_last‖ / ‖∂L/∂h_t‖). At initialization T = %d; after training, the model trained "
                + "at T = %d.%n%n", o.gradientProbe(), o.gradientLag(), r.trainedGradientLag()));
        s.append("| cell | init: decades over 50 steps | init: over T | trained: over min(50, T) steps | trained: over T |\n");
        s.append("|---|---:|---:|---:|---:|\n");
        for (CompareLab.Variant v : r.variants()) {
            double[] gi = r.gradInit().get(v).h();
            double[] gt = r.gradTrained().get(v).h();
            s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n", v.name(), decades(gi, 50),
                    decades(gi, gi.length - 1), decades(gt, 50), decades(gt, gt.length - 1)));
        }
        CompareLab.Variant lstm = r.variant("lstm");
        double[] c = r.gradInit().get(lstm).c();
        if (c != null) {
            s.append(String.format(Locale.ROOT, "%nLSTM cell state, PyTorch init: ‖∂L/∂c_t‖ falls %.1f decades over 50 steps "
                    + "(h: %.1f).%n", decades(c, 50), decades(r.gradInit().get(lstm).h(), 50)));
        }

        s.append("\n## 4. Speed (same run; compare ratios)\n\n");
        s.append("| cell | FLOPs/step × RNN |");
        for (int lag : o.lags()) {
            s.append(" train s/epoch T=").append(lag).append(" |");
        }
        s.append(" train × RNN (T=").append(o.lags()[o.lags().length - 1]).append(") |");
        List<String> kernels = List.copyOf(r.stepNs().get(CellType.RNN_TANH).keySet());
        for (String k : kernels) {
            s.append(" step ns, ").append(k).append(" | × RNN |");
        }
        s.append("\n|---|---:|").append("---:|".repeat(o.lags().length + 1)).append("---:|---:|".repeat(kernels.size())).append('\n');
        int last = o.lags().length - 1;
        double rnnEpoch = r.secondsPerEpochByLag().get(r.variant("rnn_tanh"))[last];
        for (CompareLab.Variant v : r.variants()) {
            if (!v.pytorchInit()) {
                continue;
            }
            double[] spe = r.secondsPerEpochByLag().get(v);
            s.append(String.format(Locale.ROOT, "| %s | %.2f |", v.name(),
                    (double) CellMath.flopsPerStep(v.cell(), in, h) / CellMath.flopsPerStep(CellType.RNN_TANH, in, h)));
            for (double x : spe) {
                s.append(String.format(Locale.ROOT, " %.3f |", x));
            }
            s.append(String.format(Locale.ROOT, " %.2f |", spe[last] / rnnEpoch));
            Map<String, Double> ns = r.stepNs().get(v.cell());
            for (String k : kernels) {
                s.append(String.format(Locale.ROOT, " %.0f | %.2f |", ns.get(k), ns.get(k) / r.stepNs().get(CellType.RNN_TANH).get(k)));
            }
            s.append('\n');
        }
        s.append("\nTraining: DJL's fused PyTorch cells, one thread. Step: `RecurrentModel.step` (cell + linear head) for one "
                + "key, fastest of " + o.benchRounds() + " interleaved rounds of " + o.benchSteps() + " steps.\n");

        s.append("\n## 5. A real series: one-step forecast\n\n");
        s.append("Series: ").append(r.seriesName()).append(". `SequenceTrainer` (as `seqpredict train`): windows of 24, "
                + o.seriesEpochs() + " epochs, tail 30% held out, scored by stepping the exported model event by event.\n\n");
        s.append("| cell | MAE | RMSE | last value MAE | last value RMSE | RMSE / last value |\n|---|---:|---:|---:|---:|---:|\n");
        for (CompareLab.SeriesRow row : r.seriesRows()) {
            s.append(String.format(Locale.ROOT, "| %s | %.4g | %.4g | %.4g | %.4g | %.3f |%n", row.v().name(),
                    row.model().mae(), row.model().rmse(), row.baseline().mae(), row.baseline().rmse(),
                    row.model().rmse() / row.baseline().rmse()));
        }
        s.append("\nPlots: `error_vs_lag.png`, `gradient_norms.png`, `speed.png`.\n");
        return s.toString();
    }

    static double decades(double[] g, int span) {
        int last = g.length - 1;
        span = Math.min(span, last);
        return Math.log10(g[last] / Math.max(g[last - span], 1e-300));
    }
}

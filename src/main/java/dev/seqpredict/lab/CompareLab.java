package dev.seqpredict.lab;

import dev.seqpredict.demo.SensorSimulator;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.kernel.KernelFactory;
import dev.seqpredict.model.kernel.Kernels;
import dev.seqpredict.model.kernel.ScalarKernels;
import dev.seqpredict.train.DataException;
import dev.seqpredict.train.Metrics;
import dev.seqpredict.train.SequenceTrainer;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesSet;
import dev.seqpredict.train.Split;
import dev.seqpredict.train.TrainingOptions;
import dev.seqpredict.model.Task;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code seqpredict compare}: vanilla RNN vs LSTM vs GRU with the same hidden size and training budget, on
 * parameters, FLOPs, a long-range recall task, per-step gradient norms, speed, and one real series.
 */
public final class CompareLab {

    /**
     * A cell and the biases added at initialization to its keep gate (LSTM f, GRU z) and to the LSTM's input
     * gate i (0, 0 = PyTorch's initialization).
     */
    public record Variant(String name, CellType cell, float gateBias, float inputGateBias) {
        Variant(String name, CellType cell, float gateBias) {
            this(name, cell, gateBias, 0f);
        }

        boolean pytorchInit() {
            return gateBias == 0f && inputGateBias == 0f;
        }
    }

    public record Options(boolean quick, long seed, int hidden, int[] lags, int trainSize, int testSize, int epochs,
                          int batch, float lr, float gateBias, int gradientLag, int gradientProbe, Path series,
                          int seriesEpochs, int seriesLength, int benchRounds, int benchSteps) {

        public static Options full(long seed) {
            return new Options(false, seed, 32, new int[] {10, 50, 100, 200}, 1024, 512, 20, 32, 0.005f, 3f, 100, 64,
                    null, 15, 2000, 15, 100_000);
        }

        public static Options quick(long seed) {
            return new Options(true, seed, 32, new int[] {5, 20}, 256, 128, 10, 16, 0.005f, 3f, 50, 16,
                    null, 2, 400, 3, 10_000);
        }

        public Options withSeries(Path file) {
            return new Options(quick, seed, hidden, lags, trainSize, testSize, epochs, batch, lr, gateBias, gradientLag,
                    gradientProbe, file, seriesEpochs, seriesLength, benchRounds, benchSteps);
        }
    }

    public record ParamRow(Variant v, long formula, long cellType, long djl, long core, long flops) {
    }

    public record SeriesRow(Variant v, Metrics model, Metrics baseline, double seconds) {
    }

    /** Everything the run measured. */
    public record Result(Options options, List<Variant> variants, List<ParamRow> params,
                         Map<Variant, double[]> errorByLag, Map<Variant, double[]> secondsPerEpochByLag,
                         Map<Variant, DjlLab.Gradients> gradInit, Map<Variant, DjlLab.Gradients> gradTrained,
                         int trainedGradientLag, Map<CellType, Map<String, Double>> stepNs, String seriesName,
                         List<SeriesRow> seriesRows, List<Path> files, double seconds) {

        public double error(String variant, int lag) {
            int i = Arrays.binarySearch(options.lags(), lag);
            return errorByLag.get(variant(variant))[i];
        }

        public Variant variant(String name) {
            return variants.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
        }

        /** log10 of ‖∂L/∂h_last‖ / ‖∂L/∂h_(last−span)‖ at initialization: how many decades the norm falls over span steps. */
        public double decadesAtInit(String variant, int span) {
            double[] h = gradInit.get(variant(variant)).h();
            return Math.log10(h[h.length - 1] / h[h.length - 1 - span]);
        }
    }

    private CompareLab() {
    }

    public static List<Variant> variants(float gateBias) {
        String b = fmt(gateBias);
        return List.of(new Variant("rnn_tanh", CellType.RNN_TANH, 0f), new Variant("lstm", CellType.LSTM, 0f),
                new Variant("gru", CellType.GRU, 0f), new Variant("lstm b_f+" + b, CellType.LSTM, gateBias),
                new Variant("gru b_z+" + b, CellType.GRU, gateBias),
                new Variant("lstm b_f+" + b + " b_i-" + b, CellType.LSTM, gateBias, -gateBias));
    }

    public static Result run(Options o, Path out, PrintWriter log) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        List<Variant> variants = variants(o.gateBias());
        int h = o.hidden();
        int in = RecallTask.INPUT;

        // 2 + 3: long-range recall, and the gradient probe
        Map<Variant, double[]> err = new LinkedHashMap<>();
        Map<Variant, double[]> spe = new LinkedHashMap<>();
        Map<Variant, DjlLab.Trained> forProbe = new LinkedHashMap<>();
        Map<Variant, Long> djlParams = new LinkedHashMap<>();
        int probeLag = o.lags()[o.lags().length - 1];
        for (int gl : o.lags()) {
            if (gl == o.gradientLag()) {
                probeLag = gl;
            }
        }
        for (Variant v : variants) {
            err.put(v, new double[o.lags().length]);
            spe.put(v, new double[o.lags().length]);
        }
        for (int li = 0; li < o.lags().length; li++) {
            int lag = o.lags()[li];
            RecallTask.Batch train = RecallTask.generate(new Random(o.seed() * 31 + lag), o.trainSize(), lag);
            RecallTask.Batch test = RecallTask.generate(new Random(o.seed() * 31 + lag + 1_000_003), o.testSize(), lag);
            for (Variant v : variants) {
                DjlLab.Trained t = DjlLab.train(v.cell(), h, train, test, o.epochs(), o.batch(), o.lr(), v.gateBias(),
                        v.inputGateBias(), o.seed());
                err.get(v)[li] = t.testNmse();
                spe.get(v)[li] = t.secondsPerEpoch();
                djlParams.put(v, t.parameters() - (h + 1));
                if (lag == probeLag) {
                    forProbe.put(v, t);
                }
                log.printf(Locale.ROOT, "recall lag %3d  %-12s test MSE/Var %.4f (at init %.3f)  %.3f s/epoch, %d updates%n",
                        lag, v.name(), t.testNmse(), t.initialTestNmse(), t.secondsPerEpoch(), t.updates());
                log.flush();
            }
        }
        RecallTask.Batch probe = RecallTask.generate(new Random(o.seed() + 77), o.gradientProbe(), o.gradientLag());
        RecallTask.Batch probeTrained = RecallTask.generate(new Random(o.seed() + 78), o.gradientProbe(), probeLag);
        Map<Variant, DjlLab.Gradients> gInit = new LinkedHashMap<>();
        Map<Variant, DjlLab.Gradients> gTrained = new LinkedHashMap<>();
        for (Variant v : variants) {
            DjlLab.Trained t = forProbe.get(v);
            gInit.put(v, DjlLab.gradients(t.initial(), probe, o.seed()));
            gTrained.put(v, DjlLab.gradients(t.trained(), probeTrained, o.seed()));
        }

        // 1: parameters and FLOPs
        List<ParamRow> params = new ArrayList<>();
        for (Variant v : variants) {
            long core = StepBench.model(v.cell(), in, h, o.seed()).parameterCount() - (h + 1);
            params.add(new ParamRow(v, CellMath.parameters(v.cell(), in, h), v.cell().parametersPerLayer(in, h),
                    djlParams.get(v), core, CellMath.flopsPerStep(v.cell(), in, h)));
        }

        // 4: the streaming step
        List<KernelFactory> kernels = new ArrayList<>();
        Kernels.vector().ifPresent(kernels::add);
        kernels.add(ScalarKernels.INSTANCE);
        List<CellType> cells = List.of(CellType.RNN_TANH, CellType.LSTM, CellType.GRU);
        Map<CellType, Map<String, Double>> stepNs = StepBench.measure(cells, in, h, kernels, o.benchRounds(),
                o.benchSteps(), o.seed());
        log.printf(Locale.ROOT, "step ns: %s%n", stepNs);

        // 5: a real series
        SeriesSet series = o.series() != null ? nabCsv(o.series()) : simulated(o.seed(), o.seriesLength());
        List<SeriesRow> seriesRows = new ArrayList<>();
        for (Variant v : variants) {
            if (!v.pytorchInit()) {
                continue; // the real series is trained with `seqpredict train`'s own initialization
            }
            TrainingOptions to = TrainingOptions.defaults().with(v.cell(), h, 1)
                    .withSchedule(24, o.seriesEpochs(), 32, 0.01f).withSeed(o.seed()).withSplit(Split.TAIL, 0.3);
            try (SequenceTrainer st = new SequenceTrainer(to)) {
                SequenceTrainer.Result r = st.train(series, new PrintWriter(Writer.nullWriter()));
                seriesRows.add(new SeriesRow(v, r.validation().model(), r.validation().baseline(), r.seconds()));
                log.printf(Locale.ROOT, "series %s %-9s %s  last value %s%n", series.source(), v.name(),
                        r.validation().model().summary(), r.validation().baseline().summary());
                log.flush();
            }
        }

        List<Path> files = new ArrayList<>();
        Map<String, double[]> errByName = new LinkedHashMap<>();
        err.forEach((v, e) -> errByName.put(v.name(), e));
        files.add(LabPlots.errorVsLag(errByName, o.lags(), out.resolve("error_vs_lag.png")));
        Map<String, double[]> gi = new LinkedHashMap<>();
        Map<String, double[]> gt = new LinkedHashMap<>();
        gInit.forEach((v, g) -> gi.put(v.name(), g.h()));
        gTrained.forEach((v, g) -> gt.put(v.name(), g.h()));
        files.add(LabPlots.gradientNorms(gi, gt, o.gradientLag() + 1, probeLag + 1, out.resolve("gradient_norms.png")));
        Map<String, double[]> rel = new LinkedHashMap<>();
        int last = o.lags().length - 1;
        rel.put("FLOPs per step", cells.stream().mapToDouble(c ->
                (double) CellMath.flopsPerStep(c, in, h) / CellMath.flopsPerStep(CellType.RNN_TANH, in, h)).toArray());
        rel.put("training s/epoch (T=" + o.lags()[last] + ")", cells.stream().mapToDouble(c ->
                spe.get(variants.get(cells.indexOf(c))) [last] / spe.get(variants.get(0))[last]).toArray());
        for (KernelFactory k : kernels) {
            rel.put("stream step, " + k.name(), cells.stream().mapToDouble(c ->
                    stepNs.get(c).get(k.name()) / stepNs.get(CellType.RNN_TANH).get(k.name())).toArray());
        }
        files.add(LabPlots.speed(cells.stream().map(CellType::id).toList(), rel, out.resolve("speed.png")));

        Result result = new Result(o, variants, params, err, spe, gInit, gTrained, probeLag, stepNs, series.source(),
                seriesRows, files, (System.nanoTime() - t0) / 1e9);
        Path md = out.resolve("results.md");
        Files.writeString(md, LabReport.markdown(result), StandardCharsets.UTF_8);
        files.add(md);
        return result;
    }

    /** A NAB data file (timestamp,value) as one regression series. */
    static SeriesSet nabCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).trim().equals("timestamp,value")) {
            throw new DataException(file + ": expected a NAB data file with the header timestamp,value");
        }
        List<String> ts = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            int comma = line.indexOf(',');
            ts.add(line.substring(0, comma));
            values.add(new float[] {Float.parseFloat(line.substring(comma + 1).trim())});
        }
        String name = file.getFileName().toString();
        return new SeriesSet(Task.REGRESSION, List.of("value"), List.of(new Series(name, ts.toArray(String[]::new),
                values.toArray(float[][]::new), null)), name);
    }

    /** The demo's first simulated sensor (daily cycle, trend, noise, faults, a regime change at 75%). */
    static SeriesSet simulated(long seed, int length) {
        SensorSimulator sim = new SensorSimulator(seed, 1, length * 3 / 4, 0.01);
        float[][] v = new float[length][1];
        String[] ts = new String[length];
        for (int t = 0; t < length; t++) {
            v[t][0] = sim.reading(0, t).value();
            ts[t] = Integer.toString(t);
        }
        return new SeriesSet(Task.REGRESSION, List.of("value"), List.of(new Series(SensorSimulator.key(0), ts, v, null)),
                "simulated " + SensorSimulator.key(0) + " (seed " + seed + ", " + length + " steps)");
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Float.toString((float) v);
    }
}

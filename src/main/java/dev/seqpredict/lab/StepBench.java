package dev.seqpredict.lab;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.model.kernel.KernelFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The streaming step's cost: {@link RecurrentModel#step} (one key, one event, the core's kernel plus the
 * linear head) timed for every cell with the same kernel, the cells interleaved round by round so that the
 * machine's noise hits them alike. The fastest round is reported (the one the
 * machine disturbed least); compare ratios, not absolute times.
 */
public final class StepBench {

    private StepBench() {
    }

    /** ns per step for each (cell, kernel name). */
    public static Map<CellType, Map<String, Double>> measure(List<CellType> cells, int input, int hidden,
                                                             List<KernelFactory> kernels, int rounds, int stepsPerRound,
                                                             long seed) {
        Map<CellType, Map<String, Double>> out = new LinkedHashMap<>();
        for (CellType c : cells) {
            out.put(c, new LinkedHashMap<>());
        }
        for (KernelFactory k : kernels) {
            List<RecurrentModel> models = new ArrayList<>();
            for (CellType c : cells) {
                models.add(model(c, input, hidden, seed).withKernels(k));
            }
            float[][] x = inputs(input, 1024, seed);
            double[][] ns = new double[cells.size()][rounds];
            // warm-up: let the JIT compile every cell's path
            for (RecurrentModel m : models) {
                run(m, x, Math.max(10_000, stepsPerRound));
            }
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < models.size(); i++) {
                    ns[i][r] = run(models.get(i), x, stepsPerRound);
                }
            }
            for (int i = 0; i < cells.size(); i++) {
                double[] v = ns[i].clone();
                Arrays.sort(v);
                out.get(cells.get(i)).put(k.name(), v[0]);
            }
        }
        return out;
    }

    private static double run(RecurrentModel m, float[][] x, int steps) {
        float[] state = m.newState();
        float[] y = new float[m.outputSize()];
        RecurrentModel.Scratch s = m.newScratch();
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            m.step(state, x[i & (x.length - 1)], y, s);
        }
        long dt = System.nanoTime() - t0;
        if (Float.isNaN(y[0])) {
            throw new IllegalStateException("NaN");
        }
        return (double) dt / steps;
    }

    private static float[][] inputs(int input, int n, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][input];
        for (float[] row : x) {
            for (int i = 0; i < input; i++) {
                row[i] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    /** A model with U(-1/√H, 1/√H) weights (the stepping cost does not depend on their values). */
    static RecurrentModel model(CellType cell, int input, int hidden, long seed) {
        Random r = new Random(seed);
        float bound = (float) (1 / Math.sqrt(hidden));
        int rows = cell.gates() * hidden;
        LayerWeights w = new LayerWeights(cell, input, hidden, uniform(r, rows * input, bound),
                uniform(r, rows * hidden, bound), uniform(r, rows, bound), uniform(r, rows, bound));
        return RecurrentModel.create(ModelSpec.of(cell, input, hidden, 1, Task.REGRESSION, 1), List.of(w),
                uniform(r, hidden, bound), uniform(r, 1, bound), null);
    }

    private static float[] uniform(Random r, int n, float bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextFloat() * 2f - 1f) * bound;
        }
        return v;
    }
}

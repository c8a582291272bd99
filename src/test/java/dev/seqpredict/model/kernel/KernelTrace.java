package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The models and inputs of {@link KernelAgreementTest}, and a fingerprint of every float bit they produce:
 * {@link #main} runs them all in a JVM of its own with {@link VectorKernels} (at the width of
 * {@code -Dseqpredict.vector.bits}) and writes one line per case, so that the test can compare widths that
 * must not share a JVM (the Vector API's shared code, profiled with several vector shapes, stops being
 * compiled to vector instructions and the step allocates: {@code AllocationFreeStepTest} in the same JVM fails).
 */
final class KernelTrace {
    static final int STEPS = 20_000;
    /** A fingerprint of the bits so far every this many steps: a difference is located to within it. */
    static final int CHECKPOINT = 1_000;

    private KernelTrace() {
    }

    enum Head { REGRESSION, ONE_HOT, EMBEDDING }

    record Case(CellType cell, Head head, int in, int hidden, int layers, int outputs) {
        String id() {
            return cell.id() + "/" + head.name().toLowerCase() + "/in" + in + "/h" + hidden + "/l" + layers + "/out" + outputs;
        }

        long seed() {
            return 1000L * cell.ordinal() + 100L * head.ordinal() + 7L * in + hidden + layers;
        }
    }

    /** Every cell; hidden sizes that are and are not multiples of 4, 8, 16; 1–2 layers; every kind of head. */
    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            cs.add(new Case(cell, Head.REGRESSION, 3, 20, 1, 3));
            cs.add(new Case(cell, Head.REGRESSION, 8, 37, 2, 1));
            cs.add(new Case(cell, Head.REGRESSION, 16, 64, 1, 17));
            cs.add(new Case(cell, Head.REGRESSION, 1, 5, 2, 2));
            cs.add(new Case(cell, Head.REGRESSION, 8, 32, 1, 8)); // fewer outputs than 16 lanes, H a multiple of 16
            cs.add(new Case(cell, Head.REGRESSION, 3, 16, 1, 1));
            cs.add(new Case(cell, Head.ONE_HOT, 29, 24, 1, 29));
            cs.add(new Case(cell, Head.EMBEDDING, 7, 13, 2, 29));
        }
        return cs;
    }

    /** Random weights like PyTorch's init (uniform ±1/√H); a wider head so that the softmax is not flat. */
    static RecurrentModel model(Case c, KernelFactory kernels) {
        SplittableRandom rnd = new SplittableRandom(c.seed());
        float bound = (float) (1.0 / Math.sqrt(c.hidden()));
        List<LayerWeights> ws = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            int lin = l == 0 ? c.in() : c.hidden();
            int rows = c.cell().gates() * c.hidden();
            ws.add(new LayerWeights(c.cell(), lin, c.hidden(), RandomModels.uniform(rnd, rows * lin, bound),
                    RandomModels.uniform(rnd, rows * c.hidden(), bound), RandomModels.uniform(rnd, rows, bound),
                    RandomModels.uniform(rnd, rows, bound)));
        }
        float[] hw = RandomModels.uniform(rnd, c.outputs() * c.hidden(), 4 * bound);
        float[] hb = RandomModels.uniform(rnd, c.outputs(), bound);
        RecurrentModel m;
        if (c.head() == Head.REGRESSION) {
            m = RecurrentModel.create(ModelSpec.of(c.cell(), c.in(), c.hidden(), c.layers(), Task.REGRESSION, c.outputs()),
                    ws, hw, hb, null);
        } else {
            List<String> names = IntStream.range(0, c.outputs()).mapToObj(i -> "e" + i).toList();
            ModelSpec spec = ModelSpec.of(c.cell(), c.in(), c.hidden(), c.layers(), Task.CLASSIFICATION, c.outputs())
                    .withVocabulary(names, c.head() == Head.EMBEDDING);
            float[] embedding = c.head() == Head.EMBEDDING ? RandomModels.uniform(rnd, c.outputs() * c.in(), 1f) : null;
            m = RecurrentModel.create(spec, ws, hw, hb, embedding);
        }
        return m.withKernels(kernels);
    }

    /** Steps one key of a case's model through the case's inputs. */
    static final class Run {
        final RecurrentModel model;
        final float[] state;
        final float[] out;
        private final Head head;
        private final float[] x;
        private final SplittableRandom rnd;

        Run(Case c, KernelFactory kernels) {
            model = model(c, kernels);
            head = c.head();
            state = model.newState();
            out = new float[c.outputs()];
            x = new float[c.in()];
            rnd = new SplittableRandom(c.seed() ^ 0x5DEECE66DL);
        }

        void step() {
            int event = rnd.nextInt(out.length);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 1.5);
            }
            if (head == Head.REGRESSION) {
                model.step(state, x, out);
            } else {
                model.stepEvent(state, event, out);
            }
        }
    }

    /** The running fingerprint of every state and output bit at each checkpoint. */
    static long[] fingerprints(Case c, KernelFactory kernels) {
        Run run = new Run(c, kernels);
        long[] fp = new long[STEPS / CHECKPOINT];
        long h = 0xcbf29ce484222325L;
        for (int t = 0; t < STEPS; t++) {
            run.step();
            h = mix(h, run.state);
            h = mix(h, run.out);
            if ((t + 1) % CHECKPOINT == 0) {
                fp[t / CHECKPOINT] = h;
            }
        }
        return fp;
    }

    private static long mix(long h, float[] a) {
        for (float v : a) {
            h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
        }
        return h;
    }

    static String line(Case c, long[] fp) {
        StringBuilder sb = new StringBuilder(c.id());
        for (long f : fp) {
            sb.append(' ').append(Long.toHexString(f));
        }
        return sb.toString();
    }

    /** args: the output file. First line: the kernel's name; then {@link #line} for every case. */
    public static void main(String[] args) throws IOException {
        KernelFactory k = VectorKernels.INSTANCE;
        List<String> lines = new ArrayList<>();
        lines.add(k.name());
        for (Case c : cases()) {
            lines.add(line(c, fingerprints(c, k)));
        }
        Files.write(Path.of(args[0]), lines, StandardCharsets.UTF_8);
    }
}

package dev.seqpredict.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.Normalization;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.testing.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stepping n keys in one batched pass ({@link RecurrentModel#stepBatch}, {@link RecurrentModel#stepEventBatch})
 * gives every key, bit for bit, the state and the output that stepping it alone ({@link RecurrentModel#step},
 * {@link RecurrentModel#stepEvent}) gives: every cell, both kernels, batch sizes 1..33 (every remainder of the
 * kernels' groups of four keys, and more keys than a scratch holds), hidden sizes that are and are not
 * multiples of the lane counts, one and two layers, regression (plain, and normalized + differenced +
 * residual) and classification over one-hot and embedding input. The states live at offsets in one shared
 * array, as an engine gathering them would pass them; the floats between the slices must stay untouched.
 * The vector kernel is checked at this JVM's width here and at 128, 256 and 512 bits in child JVMs.
 */
class BatchStepTest {

    static final int MAX_BATCH = 33;
    static final int ROUNDS = 6;

    enum Kind { REGRESSION, FORECAST, ONE_HOT, EMBEDDING }

    record Case(CellType cell, Kind kind, int in, int hidden, int layers, int outputs) {
        long seed() {
            return 7919L * cell.ordinal() + 131L * kind.ordinal() + 17L * in + 3L * hidden + layers;
        }

        @Override
        public String toString() {
            return cell.id() + "/" + kind.name().toLowerCase() + "/in" + in + "/h" + hidden + "/l" + layers + "/out" + outputs;
        }
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            cs.add(new Case(cell, Kind.REGRESSION, 3, 20, 1, 3));
            cs.add(new Case(cell, Kind.REGRESSION, 8, 64, 1, 1));
            cs.add(new Case(cell, Kind.REGRESSION, 8, 37, 2, 1));
            cs.add(new Case(cell, Kind.REGRESSION, 1, 5, 2, 2));
            cs.add(new Case(cell, Kind.FORECAST, 5, 16, 2, 5));
            cs.add(new Case(cell, Kind.ONE_HOT, 29, 24, 1, 29));
            cs.add(new Case(cell, Kind.ONE_HOT, 6, 17, 2, 6));
            cs.add(new Case(cell, Kind.EMBEDDING, 7, 13, 2, 29));
        }
        return cs;
    }

    static Stream<Arguments> kernelsAndCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String kernel : new String[] {"scalar", "vector"}) {
            for (Case c : cases()) {
                b.add(Arguments.of(kernel, c));
            }
        }
        return b.build();
    }

    /** Random weights like PyTorch's init (uniform ±1/√H); a wider head so that a softmax is not flat. */
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
        ModelSpec spec = ModelSpec.of(c.cell(), c.in(), c.hidden(), c.layers(),
                c.kind() == Kind.REGRESSION || c.kind() == Kind.FORECAST ? Task.REGRESSION : Task.CLASSIFICATION,
                c.outputs());
        float[] embedding = null;
        switch (c.kind()) {
            case REGRESSION -> { }
            case FORECAST -> {
                float[] mean = new float[c.in()];
                float[] std = new float[c.in()];
                for (int i = 0; i < c.in(); i++) {
                    mean[i] = 0.3f * i - 0.5f;
                    std[i] = 0.7f + 0.25f * i;
                }
                spec = spec.withNormalization(new Normalization(mean, std), null).withForecast(List.of(), true)
                        .withDifferencedInput(true);
            }
            case ONE_HOT, EMBEDDING -> {
                List<String> names = IntStream.range(0, c.outputs()).mapToObj(i -> "e" + i).toList();
                spec = spec.withVocabulary(names, c.kind() == Kind.EMBEDDING);
                if (c.kind() == Kind.EMBEDDING) {
                    embedding = RandomModels.uniform(rnd, c.outputs() * c.in(), 1f);
                }
            }
            default -> throw new IllegalStateException();
        }
        return RecurrentModel.create(spec, ws, hw, hb, embedding).withKernels(kernels);
    }

    /** Receives each comparison; the test asserts, the child JVM records the first difference. */
    interface Check {
        void same(int[] expected, int[] actual, String what);
    }

    /**
     * n keys through {@link #ROUNDS} events, each key stepped alone and (a twin of it) in the batch; every
     * state and output compared after every round. Returns the largest |state| seen (the check is only
     * meaningful if the states moved).
     */
    static float compare(RecurrentModel model, Case c, int n, Check check) {
        SplittableRandom rnd = new SplittableRandom(c.seed() * 31 + n);
        int size = model.stateSize();
        int outs = model.outputSize();
        boolean events = model.spec().task() == Task.CLASSIFICATION;
        // more keys than the scratch holds when n is even: the model steps them in several passes
        RecurrentModel.BatchScratch scratch = model.newBatchScratch(n % 2 == 0 ? 5 : MAX_BATCH);
        float[][] alone = new float[n][size];
        float[] slab = new float[n * (size + 3) + 2];
        java.util.Arrays.fill(slab, Float.intBitsToFloat(0x7fc0beef)); // a NaN the model would not write
        float[][] batchStates = new float[n][];
        int[] offsets = new int[n];
        for (int j = 0; j < n; j++) {
            batchStates[j] = slab;
            offsets[j] = 1 + j * (size + 3);
            java.util.Arrays.fill(slab, offsets[j], offsets[j] + size, 0f);
        }
        float[][] outAlone = new float[n][outs];
        float[][] outBatch = new float[n][outs];
        float[][] features = new float[n][c.in()];
        int[] ids = new int[n];
        float maxAbs = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int j = 0; j < n; j++) {
                ids[j] = rnd.nextInt(c.outputs());
                for (int i = 0; i < c.in(); i++) {
                    features[j][i] = (float) (rnd.nextGaussian() * 1.5);
                }
            }
            for (int j = 0; j < n; j++) {
                if (events) {
                    model.stepEvent(alone[j], ids[j], outAlone[j]);
                } else {
                    model.step(alone[j], features[j], outAlone[j]);
                }
            }
            if (events) {
                model.stepEventBatch(n, batchStates, offsets, ids, outBatch, scratch);
            } else {
                model.stepBatch(n, batchStates, offsets, features, outBatch, scratch);
            }
            for (int j = 0; j < n; j++) {
                String what = model.kernelName() + " " + c + " batch of " + n + ", key " + j + ", round " + round;
                check.same(bits(alone[j], 0, size), bits(slab, offsets[j], size), "state, " + what);
                check.same(bits(outAlone[j], 0, outs), bits(outBatch[j], 0, outs), "output, " + what);
                for (float v : alone[j]) {
                    maxAbs = Math.max(maxAbs, Math.abs(v));
                }
            }
        }
        for (int j = 0; j <= n; j++) { // the gaps around the slices
            int from = j == 0 ? 0 : offsets[j - 1] + size;
            int to = j == n ? slab.length : offsets[j];
            for (int i = from; i < to; i++) {
                check.same(new int[] {0x7fc0beef}, new int[] {Float.floatToRawIntBits(slab[i])},
                        "the float at " + i + " outside every key's slice, batch of " + n);
            }
        }
        return maxAbs;
    }

    static int[] bits(float[] a, int off, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Float.floatToRawIntBits(a[off + i]);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndCases")
    void aBatchOfOneToThirtyThreeKeysGivesEveryKeyTheBitsOfItsSingleStep(String kernel, Case c) {
        KernelFactory k = kernel.equals("scalar") ? ScalarKernels.INSTANCE : VectorKernels.INSTANCE;
        RecurrentModel model = model(c, k);
        for (int n = 1; n <= MAX_BATCH; n++) {
            float maxAbs = compare(model, c, n, (expected, actual, what) -> {
                if (!java.util.Arrays.equals(expected, actual)) {
                    assertThat(actual).as(what).containsExactly(expected);
                }
            });
            assertThat(maxAbs).as("max |state| of the keys, batch of %d", n).isGreaterThan(0.05f);
        }
    }

    @Test
    void atVectorWidthsOf128And256And512BitsTooInChildJvms(@TempDir Path dir) throws Exception {
        int[] widths = {128, 256, 512};
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int bits : widths) {
                children.add(ChildJvm.start("batch-step-" + bits, dir, "256m",
                        List.of("-D" + VectorKernels.BITS_PROPERTY + "=" + bits,
                                "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"),
                        BatchStepTest.class.getName(), dir.resolve(bits + ".txt").toString()));
            }
            for (int i = 0; i < widths.length; i++) {
                ChildJvm child = children.get(i);
                assertThat(child.waitFor(Duration.ofMinutes(10))).as("exit code of %s:%n%s", child.name(), child.tail(20))
                        .isZero();
                List<String> lines = Files.readAllLines(dir.resolve(widths[i] + ".txt"), StandardCharsets.UTF_8);
                assertThat(lines.get(0)).as("the kernel the child ran").isEqualTo("vector" + widths[i]);
                assertThat(lines.subList(1, lines.size())).as("differences found by the child at %d bits", widths[i])
                        .containsExactly("checked " + cases().size() * MAX_BATCH + " (case, batch size) pairs, all equal");
            }
        } finally {
            for (ChildJvm child : children) {
                child.close();
            }
        }
    }

    /** args: the output file. First line: the kernel; then the first difference, or the count of checks. */
    public static void main(String[] args) throws IOException {
        KernelFactory k = VectorKernels.INSTANCE;
        List<String> lines = new ArrayList<>();
        lines.add(k.name());
        String[] first = {null};
        int checked = 0;
        for (Case c : cases()) {
            RecurrentModel model = model(c, k);
            for (int n = 1; n <= MAX_BATCH && first[0] == null; n++) {
                compare(model, c, n, (expected, actual, what) -> {
                    if (first[0] == null && !java.util.Arrays.equals(expected, actual)) {
                        first[0] = what + ": expected " + java.util.Arrays.toString(expected) + " but was "
                                + java.util.Arrays.toString(actual);
                    }
                });
                checked++;
            }
        }
        lines.add(first[0] != null ? first[0] : "checked " + checked + " (case, batch size) pairs, all equal");
        Files.write(Path.of(args[0]), lines, StandardCharsets.UTF_8);
    }
}

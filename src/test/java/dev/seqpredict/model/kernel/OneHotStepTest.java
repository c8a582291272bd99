package dev.seqpredict.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A one-hot input steps a layer by reading one column of W_ih: the state must be bit for bit what the
 * full step with the one-hot vector gives, with every kernel, cell, vocabulary size (all the unrolling
 * remainders and index parities) and hidden size (full and partial vector blocks).
 */
class OneHotStepTest {

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String kernel : new String[] {"scalar", "vector"}) {
            for (CellType cell : CellType.values()) {
                for (int vocab : new int[] {1, 2, 3, 5, 8, 37, 300}) {
                    for (int hidden : new int[] {7, 16, 40}) {
                        b.add(Arguments.of(kernel, cell, vocab, hidden));
                    }
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1} vocab={2} H={3}")
    @MethodSource("cases")
    void aOneHotStepEqualsTheFullStepBitForBit(String kernel, CellType cell, int vocab, int hidden) {
        KernelFactory factory = kernel.equals("scalar") ? ScalarKernels.INSTANCE : VectorKernels.INSTANCE;
        SplittableRandom rnd = new SplittableRandom(vocab * 1000L + hidden);
        float bound = (float) (1.0 / Math.sqrt(hidden));
        int rows = cell.gates() * hidden;
        LayerKernel k = factory.layer(new LayerWeights(cell, vocab, hidden, RandomModels.uniform(rnd, rows * vocab, 1f),
                RandomModels.uniform(rnd, rows * hidden, bound), RandomModels.uniform(rnd, rows, bound),
                RandomModels.uniform(rnd, rows, bound)));
        float[] full = new float[2 * hidden]; // h, then c (LSTM)
        float[] oneHot = new float[2 * hidden];
        float[] scratchFull = new float[k.scratchSize()];
        float[] scratchOneHot = new float[k.scratchSize()];
        float[] x = new float[vocab];
        for (int t = 0; t < 300; t++) {
            int e = t < vocab ? t : rnd.nextInt(vocab); // every index at least once, then at random
            Arrays.fill(x, 0f);
            x[e] = 1f;
            k.step(x, 0, full, 0, hidden, scratchFull);
            k.stepOneHot(e, oneHot, 0, hidden, scratchOneHot);
            assertThat(oneHot).as("step %d, event %d", t, e).containsExactly(full);
        }
        assertThat(full).as("the state moved").isNotEqualTo(new float[2 * hidden]);
    }
}

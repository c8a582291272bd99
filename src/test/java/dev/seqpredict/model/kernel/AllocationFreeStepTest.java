package dev.seqpredict.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.testing.TestModels;
import java.lang.management.ManagementFactory;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** After warm-up, stepping a model allocates nothing, with either kernel, one key at a time or batched. */
class AllocationFreeStepTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String kernel : new String[] {"vector", "scalar"}) {
            for (CellType cell : CellType.values()) {
                b.add(Arguments.of(kernel, cell, 8, 64, 2));
                if (kernel.equals("vector")) {
                    b.add(Arguments.of(kernel, cell, 3, 20, 1));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1} in={2} H={3} layers={4}")
    @MethodSource("cases")
    void tenThousandStepsAllocateLessThan1KB(String kernel, CellType cell, int in, int hidden, int layers) {
        KernelFactory k = kernel.equals("vector") ? VectorKernels.INSTANCE : ScalarKernels.INSTANCE;
        RecurrentModel m = RandomModels.regression(cell, in, hidden, layers, 2, 11).withKernels(k);
        assertThat(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled()).isTrue();
        float[] state = m.newState();
        float[] x = new float[in];
        float[] out = new float[2];
        long tid = Thread.currentThread().getId();
        long allocated = Long.MAX_VALUE;
        // warm up until the JIT has compiled the step (C2 may need a few rounds on a busy machine)
        for (int round = 0; round < 8 && allocated >= 1024; round++) {
            run(m, state, x, out, 20_000);
            long before = THREADS.getThreadAllocatedBytes(tid);
            run(m, state, x, out, 10_000);
            allocated = THREADS.getThreadAllocatedBytes(tid) - before;
        }
        assertThat(allocated).as("bytes allocated by 10,000 steps").isLessThan(1024);
    }

    @ParameterizedTest(name = "{0} {1} one-hot over 200 events, H=64")
    @MethodSource("cases")
    void tenThousandOneHotEventStepsAllocateLessThan1KB(String kernel, CellType cell, int ignoredIn, int ignoredHidden,
                                                        int ignoredLayers) {
        KernelFactory k = kernel.equals("vector") ? VectorKernels.INSTANCE : ScalarKernels.INSTANCE;
        RecurrentModel m = TestModels.classification(13, cell, 200, 64, 1, "logs", "1").withKernels(k);
        float[] state = m.newState();
        float[] out = new float[m.outputSize()];
        long tid = Thread.currentThread().getId();
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 8 && allocated >= 1024; round++) {
            for (int t = 0; t < 20_000; t++) {
                m.stepEvent(state, (t * 37) % 200, out);
            }
            long before = THREADS.getThreadAllocatedBytes(tid);
            for (int t = 0; t < 10_000; t++) {
                m.stepEvent(state, (t * 37) % 200, out);
            }
            allocated = THREADS.getThreadAllocatedBytes(tid) - before;
        }
        assertThat(allocated).as("bytes allocated by 10,000 one-hot steps").isLessThan(1024);
    }

    @ParameterizedTest(name = "{0} {1} in={2} H={3} layers={4}, batches of 13 keys")
    @MethodSource("cases")
    void batchedStepsOfThirteenKeysAllocateLessThan1KB(String kernel, CellType cell, int in, int hidden, int layers) {
        KernelFactory k = kernel.equals("vector") ? VectorKernels.INSTANCE : ScalarKernels.INSTANCE;
        RecurrentModel m = RandomModels.regression(cell, in, hidden, layers, 2, 11).withKernels(k);
        int n = 13; // three groups of four and a tail of one; a scratch of 8 keys: two passes
        RecurrentModel.BatchScratch scratch = m.newBatchScratch(8);
        float[] slab = new float[n * m.stateSize()];
        float[][] states = new float[n][];
        int[] offsets = new int[n];
        float[][] xs = new float[n][in];
        float[][] outs = new float[n][2];
        for (int j = 0; j < n; j++) {
            states[j] = slab;
            offsets[j] = j * m.stateSize();
            xs[j][j % in] = 0.1f * j;
        }
        long tid = Thread.currentThread().getId();
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 8 && allocated >= 1024; round++) {
            for (int t = 0; t < 3_000; t++) {
                xs[t % n][t % in] = (t & 7) * 0.25f - 1f;
                m.stepBatch(n, states, offsets, xs, outs, scratch);
            }
            long before = THREADS.getThreadAllocatedBytes(tid);
            for (int t = 0; t < 1_000; t++) {
                xs[t % n][t % in] = (t & 7) * 0.25f - 1f;
                m.stepBatch(n, states, offsets, xs, outs, scratch);
            }
            allocated = THREADS.getThreadAllocatedBytes(tid) - before;
        }
        assertThat(allocated).as("bytes allocated by 1,000 batched steps of 13 keys").isLessThan(1024);
    }

    private static void run(RecurrentModel m, float[] state, float[] x, float[] out, int n) {
        for (int t = 0; t < n; t++) {
            x[t % x.length] = (t & 7) * 0.25f - 1f;
            m.step(state, x, out);
        }
    }
}

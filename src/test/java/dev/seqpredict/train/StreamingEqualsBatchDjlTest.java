package dev.seqpredict.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.StateLayout;
import dev.seqpredict.model.Task;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 2's acceptance test: our per-event {@link RecurrentModel#step}, run one event at a time from a
 * zero state, gives what DJL's (PyTorch's) full-sequence forward gives at every time step, for every
 * cell with one and two layers, when DJL's parameters are copied by name into our PyTorch layout. A wrong
 * gate order (DJL/PyTorch: LSTM i,f,g,o; GRU r,z,n) or a wrong bias mapping would break it at step 0.
 */
class StreamingEqualsBatchDjlTest {

    private static final int INPUT = 8;
    private static final int HIDDEN = 16;
    private static final int OUTPUT = 3;
    private static final int STEPS = 30;
    private static final int BATCH = 4;
    private static final float TOLERANCE = 1e-5f;

    @BeforeAll
    static void engine() {
        DjlNetwork.engine(7);
    }

    static Stream<Arguments> cells() {
        return Stream.of(CellType.values()).flatMap(c -> Stream.of(Arguments.of(c, 1), Arguments.of(c, 2)));
    }

    @ParameterizedTest(name = "{0} x {1} layer(s)")
    @MethodSource("cells")
    void stepByStepEqualsDjlForwardAtEveryTimeStep(CellType cell, int layers) {
        Random random = new Random(1000L * cell.ordinal() + layers);
        float bound = (float) (1.0 / Math.sqrt(HIDDEN));
        try (DjlNetwork net = new DjlNetwork(cell, INPUT, HIDDEN, layers, OUTPUT,
                new DjlNetwork.UniformInitializer(random, bound)).initialize()) {
            float[] x = new float[BATCH * STEPS * INPUT];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            NDArray input = net.manager().create(x, new Shape(BATCH, STEPS, INPUT));
            ParameterStore ps = new ParameterStore(net.manager(), false);
            float[] djlOut = net.block().forward(ps, new NDList(input), false).head().toFloatArray();
            float[] djlTopH = net.recurrent().forward(ps, new NDList(input), false).head().toFloatArray();
            assertThat(djlOut).hasSize(BATCH * STEPS * OUTPUT);
            assertThat(djlTopH).hasSize(BATCH * STEPS * HIDDEN);

            RecurrentModel model = net.export(ModelSpec.of(cell, INPUT, HIDDEN, layers, Task.REGRESSION, OUTPUT));
            StateLayout layout = model.layout();
            float maxDiffOut = 0f;
            float maxDiffH = 0f;
            float maxAbs = 0f;
            float[] features = new float[INPUT];
            float[] out = new float[OUTPUT];
            for (int b = 0; b < BATCH; b++) {
                float[] state = model.newState();
                for (int t = 0; t < STEPS; t++) {
                    System.arraycopy(x, (b * STEPS + t) * INPUT, features, 0, INPUT);
                    model.step(state, features, out);
                    for (int o = 0; o < OUTPUT; o++) {
                        float d = Math.abs(out[o] - djlOut[(b * STEPS + t) * OUTPUT + o]);
                        assertThat(d).as("%s batch %d step %d output %d", cell, b, t, o).isLessThanOrEqualTo(TOLERANCE);
                        maxDiffOut = Math.max(maxDiffOut, d);
                    }
                    for (int j = 0; j < HIDDEN; j++) {
                        float ours = state[layout.topHiddenOffset() + j];
                        float theirs = djlTopH[(b * STEPS + t) * HIDDEN + j];
                        float d = Math.abs(ours - theirs);
                        assertThat(d).as("%s batch %d step %d h[%d]", cell, b, t, j).isLessThanOrEqualTo(TOLERANCE);
                        maxDiffH = Math.max(maxDiffH, d);
                        maxAbs = Math.max(maxAbs, Math.abs(theirs));
                    }
                }
            }
            System.out.printf("%s x%d: max |diff| output %.2e, top h %.2e (max |h| %.3f)%n",
                    cell, layers, maxDiffOut, maxDiffH, maxAbs);
        }
    }

    @Test
    void classificationOneHotWithSoftmaxMatchesDjl() {
        int vocab = 7;
        Random random = new Random(99);
        for (CellType cell : CellType.values()) {
            try (DjlNetwork net = new DjlNetwork(cell, vocab, HIDDEN, 2, vocab,
                    new DjlNetwork.UniformInitializer(random, 0.4f)).initialize()) {
                int[][] events = new int[BATCH][STEPS];
                float[] x = new float[BATCH * STEPS * vocab];
                for (int b = 0; b < BATCH; b++) {
                    for (int t = 0; t < STEPS; t++) {
                        events[b][t] = random.nextInt(vocab);
                        x[(b * STEPS + t) * vocab + events[b][t]] = 1f;
                    }
                }
                NDArray input = net.manager().create(x, new Shape(BATCH, STEPS, vocab));
                float[] probs = net.block().forward(new ParameterStore(net.manager(), false), new NDList(input), false)
                        .head().softmax(-1).toFloatArray();
                RecurrentModel model = net.export(ModelSpec.of(cell, vocab, HIDDEN, 2, Task.CLASSIFICATION, vocab));
                for (int b = 0; b < BATCH; b++) {
                    float[][] ours = model.forwardEvents(events[b]);
                    for (int t = 0; t < STEPS; t++) {
                        for (int v = 0; v < vocab; v++) {
                            assertThat(Math.abs(ours[t][v] - probs[(b * STEPS + t) * vocab + v]))
                                    .as("%s batch %d step %d p[%d]", cell, b, t, v).isLessThanOrEqualTo(TOLERANCE);
                        }
                    }
                }
            }
        }
    }
}

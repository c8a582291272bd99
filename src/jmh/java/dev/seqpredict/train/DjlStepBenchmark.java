package dev.seqpredict.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.nn.recurrent.RNN;
import ai.djl.nn.recurrent.RecurrentBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 8: one event of one key through a DJL block (PyTorch engine, bundled natives) against our
 * {@link RecurrentModel#step} with the <b>same weights</b>, in the same fork.
 *
 * <p>{@code djl} is what a user would write without this project: a batch-first {@link RecurrentBlock}
 * built with {@code optReturnState(true)} plus a {@link Linear} head, called per event with batch 1 and
 * sequence length 1, the key's h (and c) carried between events as NDArrays; the input array is created
 * from a {@code float[]} and the prediction copied back to a {@code float[]}, temporaries freed with a
 * sub-manager per event. {@code seqpredict} is the stream's step on a {@code float[]} state.
 *
 * <p>The setup runs both for 50 recurrent steps from a zero state and fails unless every output agrees
 * within 1e-5.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class DjlStepBenchmark {

    static final int INPUT = 8;
    static final int OUTPUT = 8;
    static final float PARITY = 1e-5f;

    @Param({"lstm", "gru", "rnn_tanh"})
    public String cell;

    @Param({"32", "64", "128"})
    public int hidden;

    @Param({"1", "2"})
    public int layers;

    private NDManager manager;
    private RecurrentBlock rnn;
    private Linear head;
    private ParameterStore ps;
    private boolean lstm;
    private NDArray h;
    private NDArray c;

    private RecurrentModel model;
    private float[] state;
    private float[] out;

    private float[][] inputs;
    private int t;
    private int u;

    @Setup(Level.Trial)
    public void setup() {
        CellType type = CellType.fromId(cell);
        lstm = type == CellType.LSTM;
        DjlNetwork.engine(7);
        manager = NDManager.newBaseManager(Device.cpu(), DjlNetwork.ENGINE);
        rnn = switch (type) {
            case LSTM -> LSTM.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true)
                    .optReturnState(true).build();
            case GRU -> GRU.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true)
                    .optReturnState(true).build();
            case RNN_TANH -> RNN.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true)
                    .setActivation(RNN.Activation.TANH).optReturnState(true).build();
            case RNN_RELU -> RNN.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true)
                    .setActivation(RNN.Activation.RELU).optReturnState(true).build();
        };
        head = Linear.builder().setUnits(OUTPUT).build();
        var init = new DjlNetwork.UniformInitializer(new Random(1234), (float) (1.0 / Math.sqrt(hidden)));
        for (Block b : List.of(rnn, head)) {
            b.setInitializer(init, Parameter.Type.WEIGHT);
            b.setInitializer(init, Parameter.Type.BIAS);
        }
        rnn.initialize(manager, DataType.FLOAT32, new Shape(1, 1, INPUT));
        head.initialize(manager, DataType.FLOAT32, new Shape(1, 1, hidden));
        ps = new ParameterStore(manager, false);

        // the same weights in our model (PyTorch layout, read by name)
        Map<String, float[]> p = parameters(rnn);
        List<LayerWeights> ws = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            ws.add(new LayerWeights(type, l == 0 ? INPUT : hidden, hidden, p.get("l_" + l + "_i2h_WEIGHT"),
                    p.get("l_" + l + "_h2h_WEIGHT"), p.get("l_" + l + "_i2h_BIAS"), p.get("l_" + l + "_h2h_BIAS")));
        }
        Map<String, float[]> hp = parameters(head);
        model = RecurrentModel.create(ModelSpec.of(type, INPUT, hidden, layers, Task.REGRESSION, OUTPUT), ws,
                hp.get("weight"), hp.get("bias"), null);

        Random r = new Random(99);
        inputs = new float[64][INPUT];
        for (float[] x : inputs) {
            for (int i = 0; i < INPUT; i++) {
                x[i] = (float) r.nextGaussian();
            }
        }
        resetStates();
        float maxDiff = 0;
        for (int i = 0; i < 50; i++) {
            float[] theirs = djl();
            float[] ours = seqpredict();
            for (int o = 0; o < OUTPUT; o++) {
                maxDiff = Math.max(maxDiff, Math.abs(theirs[o] - ours[o]));
            }
        }
        if (!(maxDiff <= PARITY)) {
            throw new IllegalStateException(cell + " H=" + hidden + " L=" + layers + ": DJL and seqpredict differ by "
                    + maxDiff + " > " + PARITY + " within 50 steps");
        }
        System.out.printf("%nparity %s H=%d L=%d over 50 steps: max |diff| %.2e (kernels: %s)%n",
                cell, hidden, layers, maxDiff, model.kernelName());
        resetStates();
    }

    private void resetStates() {
        if (h != null) {
            h.close();
        }
        if (c != null) {
            c.close();
        }
        Shape s = new Shape(layers, 1, hidden);
        h = manager.zeros(s);
        c = lstm ? manager.zeros(s) : null;
        state = model.newState();
        out = new float[OUTPUT];
        t = 0;
        u = 0;
    }

    private static Map<String, float[]> parameters(Block b) {
        Map<String, float[]> m = new HashMap<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            m.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return m;
    }

    /** One event through DJL: float[] in, float[] prediction out, h/c carried as NDArrays. */
    @Benchmark
    public float[] djl() {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(inputs[t++ & 63], new Shape(1, 1, INPUT));
            NDList result = rnn.forward(ps, lstm ? new NDList(x, h, c) : new NDList(x, h), false);
            float[] prediction = head.forward(ps, new NDList(result.get(0)), false).head().toFloatArray();
            NDArray nh = result.get(1);
            nh.attach(manager);
            h.close();
            h = nh;
            if (lstm) {
                NDArray nc = result.get(2);
                nc.attach(manager);
                c.close();
                c = nc;
            }
            return prediction;
        }
    }

    /** One event through our step with the same weights. */
    @Benchmark
    public float[] seqpredict() {
        model.step(state, inputs[u++ & 63], out);
        return out;
    }

    @TearDown(Level.Trial)
    public void close() {
        manager.close();
    }
}

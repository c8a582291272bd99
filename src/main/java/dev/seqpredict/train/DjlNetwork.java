package dev.seqpredict.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.nn.recurrent.RNN;
import ai.djl.nn.recurrent.RecurrentBlock;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A DJL network shaped like our {@link RecurrentModel}: a batch-first recurrent block (DJL's
 * {@link LSTM}, {@link GRU} or {@link RNN} on the PyTorch engine) followed by a {@link Linear} head on every
 * time step's top-layer h. Input (N, T, input_size), output (N, T, output_size).
 *
 * <p>DJL names a recurrent layer's parameters {@code l_<layer>_i2h_WEIGHT}, {@code l_<layer>_h2h_WEIGHT},
 * {@code l_<layer>_i2h_BIAS}, {@code l_<layer>_h2h_BIAS}; on the PyTorch engine they are exactly PyTorch's
 * {@code weight_ih_l<layer>}, {@code weight_hh_l<layer>}, {@code bias_ih_l<layer>}, {@code bias_hh_l<layer>}
 * (gate order i,f,g,o for LSTM and r,z,n for GRU), which is the layout of {@link LayerWeights}.
 */
public final class DjlNetwork implements AutoCloseable {

    public static final String ENGINE = "PyTorch";

    private final CellType cell;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final int outputSize;
    private final RecurrentBlock rnn;
    private final Linear head;
    private final SequentialBlock block;
    private NDManager manager;

    /**
     * Builds and initializes the network: every weight and bias drawn from U(-1/sqrt(H), 1/sqrt(H))
     * (PyTorch's default for nn.LSTM/GRU/RNN and close to nn.Linear's) by a {@link Random} seeded with
     * {@code seed}, so the start is the same on every machine.
     */
    public DjlNetwork(CellType cell, int inputSize, int hiddenSize, int numLayers, int outputSize, long seed) {
        this(cell, inputSize, hiddenSize, numLayers, outputSize,
                new UniformInitializer(new Random(seed), (float) (1.0 / Math.sqrt(hiddenSize))));
    }

    public DjlNetwork(CellType cell, int inputSize, int hiddenSize, int numLayers, int outputSize,
                      Initializer initializer) {
        this.cell = cell;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.outputSize = outputSize;
        this.rnn = recurrentBlock(cell, hiddenSize, numLayers);
        this.head = Linear.builder().setUnits(outputSize).build();
        this.block = new SequentialBlock().add(rnn).add(head);
        rnn.setInitializer(initializer, Parameter.Type.WEIGHT);
        rnn.setInitializer(initializer, Parameter.Type.BIAS);
        head.setInitializer(initializer, Parameter.Type.WEIGHT);
        head.setInitializer(initializer, Parameter.Type.BIAS);
    }

    /**
     * Initializes the parameters in a manager of the network's own (for use without a DJL Trainer, which
     * initializes them itself); returns this.
     */
    public DjlNetwork initialize() {
        if (manager == null) {
            manager = NDManager.newBaseManager(Device.cpu(), ENGINE);
        }
        DjlCpuGuard.ensure(); // also for uses that did not go through engine(seed)
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, inputSize));
        return this;
    }

    /**
     * Loads the PyTorch engine (bundled natives, no download) with a fixed seed and one thread by default, with
     * {@link DjlCpuGuard} applied (same LSTM numbers on every CPU). Every DJL use goes through here.
     */
    public static Engine engine(long seed) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        Engine e = Engine.getEngine(ENGINE);
        DjlCpuGuard.ensure(); // before the first forward that counts: oneDNN off, then the LSTM self-check
        e.setRandomSeed((int) seed);
        return e;
    }

    static RecurrentBlock recurrentBlock(CellType cell, int hidden, int layers) {
        return switch (cell) {
            case LSTM -> LSTM.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true).build();
            case GRU -> GRU.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true).build();
            case RNN_TANH -> RNN.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true)
                    .setActivation(RNN.Activation.TANH).build();
            case RNN_RELU -> RNN.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true)
                    .setActivation(RNN.Activation.RELU).build();
        };
    }

    public SequentialBlock block() {
        return block;
    }

    public RecurrentBlock recurrent() {
        return rnn;
    }

    public Linear head() {
        return head;
    }

    /** The network's own manager (after {@link #initialize()}), or null under a Trainer. */
    public NDManager manager() {
        return manager;
    }

    public CellType cell() {
        return cell;
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public int outputSize() {
        return outputSize;
    }

    /** The recurrent layers' weights in PyTorch layout, read from DJL's parameters by name. */
    public List<LayerWeights> layerWeights() {
        Map<String, float[]> byName = parameters(rnn);
        List<LayerWeights> layers = new ArrayList<>(numLayers);
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : hiddenSize;
            layers.add(new LayerWeights(cell, in, hiddenSize,
                    require(byName, "l_" + l + "_i2h_WEIGHT"),
                    require(byName, "l_" + l + "_h2h_WEIGHT"),
                    require(byName, "l_" + l + "_i2h_BIAS"),
                    require(byName, "l_" + l + "_h2h_BIAS")));
        }
        return layers;
    }

    public float[] headWeight() {
        return require(parameters(head), "weight");
    }

    public float[] headBias() {
        return require(parameters(head), "bias");
    }

    /** Multiplies the head's weight and bias by {@code c} (in the residual form: shrinks the forecast change). */
    public void scaleHead(float c) {
        for (Pair<String, Parameter> p : head.getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = a.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] *= c;
            }
            a.set(v);
        }
    }

    /** Our model with the network's current weights: the artifact the stream will step. */
    public RecurrentModel export(ModelSpec spec) {
        if (spec.cell() != cell || spec.inputSize() != inputSize || spec.hiddenSize() != hiddenSize
                || spec.numLayers() != numLayers || spec.outputSize() != outputSize || spec.embedding()) {
            throw new IllegalArgumentException("spec " + spec.toJson() + " does not describe this network");
        }
        return RecurrentModel.create(spec, layerWeights(), headWeight(), headBias(), null);
    }

    private static Map<String, float[]> parameters(Block b) {
        Map<String, float[]> out = new HashMap<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            NDArray a = p.getValue().getArray();
            out.put(p.getKey(), a.toFloatArray());
        }
        return out;
    }

    private static float[] require(Map<String, float[]> byName, String name) {
        float[] v = byName.get(name);
        if (v == null) {
            throw new IllegalStateException("DJL parameter '" + name + "' not found; have " + byName.keySet());
        }
        return v;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }

    /** U(-bound, bound) from a seeded {@link Random}: reproducible across runs and machines. */
    public static final class UniformInitializer implements Initializer {
        private final Random random;
        private final float bound;

        public UniformInitializer(Random random, float bound) {
            this.random = random;
            this.bound = bound;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            float[] v = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (random.nextFloat() * 2f - 1f) * bound;
            }
            return manager.create(v, shape).toType(dataType, false);
        }
    }
}

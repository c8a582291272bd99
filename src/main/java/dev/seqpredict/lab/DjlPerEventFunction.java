package dev.seqpredict.lab;

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
import dev.seqpredict.flink.DeadLetterRecord;
import dev.seqpredict.flink.EventRecord;
import dev.seqpredict.flink.PredictFunction;
import dev.seqpredict.flink.PredictionRecord;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.LayerWeights;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.model.Tensor;
import dev.seqpredict.processor.EventParser;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.Prediction;
import dev.seqpredict.processor.PredictionJson;
import dev.seqpredict.processor.RejectReason;
import dev.seqpredict.train.DjlNetwork;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The peer the benchmarks compare against (issue 18): the keyed step of a Flink job written the way a user of
 * DJL's examples would write it, with a DJL call per event in place of this project's core. The model's
 * weights go into a DJL {@link RecurrentBlock} and {@link Linear} head (PyTorch engine, one thread); per event
 * the key's h (and c) come out of Flink's keyed state as a {@code float[]}, become NDArrays, one forward of
 * sequence length 1 and batch 1 runs, and the new state and the forecast are copied back. Events are parsed
 * and predictions written as the core does ({@link EventParser}, {@link PredictionJson}), so the difference
 * in a benchmark is the step and its state handling. No anomaly score (0), no model swaps, regression
 * models without normalization, differencing or residual form only (the benchmark's models).
 */
public final class DjlPerEventFunction extends KeyedProcessFunction<String, EventRecord, PredictionRecord> {
    private static final long serialVersionUID = 1L;

    private final byte[] artifact;
    private final int maxEventBytes;
    private final int maxKeyBytes;

    private transient RecurrentModel model;
    private transient NDManager manager;
    private transient RecurrentBlock rnn;
    private transient Linear head;
    private transient ParameterStore store;
    private transient EventParser parser;
    private transient ValueState<float[]> keyState;
    private transient int hiddenFloats; // layers × H
    private transient boolean lstm;

    public DjlPerEventFunction(byte[] artifact, JobSettings settings) {
        this.artifact = artifact.clone();
        this.maxEventBytes = settings.maxEventBytes();
        this.maxKeyBytes = settings.maxKeyBytes();
        check(load(this.artifact)); // fail at job build time, not in a task
    }

    private static RecurrentModel load(byte[] bytes) {
        try {
            return ModelArtifact.load(bytes);
        } catch (Exception e) {
            throw new IllegalArgumentException("the DJL peer cannot load the model: " + e.getMessage(), e);
        }
    }

    static void check(RecurrentModel m) {
        ModelSpec s = m.spec();
        if (s.task() != Task.REGRESSION || s.normalization() != null || s.targetNormalization() != null || s.differenced()
                || s.residual() || s.outputSize() != s.inputSize()
                || (s.target() != null && !s.target().isEmpty() && !s.target().equals(java.util.stream.IntStream.range(0, s.inputSize()).boxed().toList()))) {
            throw new IllegalArgumentException("the DJL peer takes plain regression models only (no normalization, "
                    + "differencing or residual form, outputs = inputs): " + s.name() + " v" + s.version() + " has normalization "
                    + (s.normalization() != null) + ", target normalization " + (s.targetNormalization() != null) + ", differenced "
                    + s.differenced() + ", residual " + s.residual() + ", " + s.inputSize() + " inputs, " + s.outputSize()
                    + " outputs, target " + s.target());
        }
    }

    @Override
    public void open(OpenContext context) {
        model = load(artifact);
        ModelSpec s = model.spec();
        lstm = s.cell() == CellType.LSTM;
        hiddenFloats = s.numLayers() * s.hiddenSize();
        DjlNetwork.engine(1);
        manager = NDManager.newBaseManager(ai.djl.Device.cpu(), DjlNetwork.ENGINE);
        rnn = block(s.cell(), s.hiddenSize(), s.numLayers());
        head = Linear.builder().setUnits(s.outputSize()).build();
        rnn.initialize(manager, DataType.FLOAT32, new Shape(1, 1, s.inputSize()));
        head.initialize(manager, DataType.FLOAT32, new Shape(1, 1, s.hiddenSize()));
        Map<String, float[]> weights = new HashMap<>();
        for (int l = 0; l < s.numLayers(); l++) {
            LayerWeights w = model.layers().get(l);
            weights.put("l_" + l + "_i2h_WEIGHT", w.weightIh());
            weights.put("l_" + l + "_h2h_WEIGHT", w.weightHh());
            weights.put("l_" + l + "_i2h_BIAS", w.biasIh());
            weights.put("l_" + l + "_h2h_BIAS", w.biasHh());
        }
        copyInto(rnn, weights);
        Map<String, float[]> headWeights = new HashMap<>();
        for (Tensor t : model.tensors()) {
            if (t.name().equals("head.weight")) {
                headWeights.put("weight", t.data());
            } else if (t.name().equals("head.bias")) {
                headWeights.put("bias", t.data());
            }
        }
        copyInto(head, headWeights);
        store = new ParameterStore(manager, false);
        parser = new EventParser(maxEventBytes, maxKeyBytes);
        keyState = getRuntimeContext().getState(new ValueStateDescriptor<>("djl-state", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    private static RecurrentBlock block(CellType cell, int hidden, int layers) {
        return switch (cell) {
            case LSTM -> LSTM.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true).optReturnState(true).build();
            case GRU -> GRU.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true).optReturnState(true).build();
            case RNN_TANH -> RNN.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true)
                    .setActivation(RNN.Activation.TANH).optReturnState(true).build();
            case RNN_RELU -> RNN.builder().setStateSize(hidden).setNumLayers(layers).optBatchFirst(true)
                    .setActivation(RNN.Activation.RELU).optReturnState(true).build();
        };
    }

    private static void copyInto(Block block, Map<String, float[]> weights) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            float[] w = weights.get(p.getKey());
            if (w == null || w.length != p.getValue().getArray().size()) {
                throw new IllegalStateException("no weights of the right size for DJL parameter " + p.getKey());
            }
            p.getValue().getArray().set(w);
        }
    }

    @Override
    public void processElement(EventRecord record, Context ctx, Collector<PredictionRecord> out) throws Exception {
        EventParser.Result parsed = parser.parse(record.key, record.value);
        if (parsed.rejection() != null || parsed.event().values() == null
                || parsed.event().values().length != model.spec().inputSize()) {
            String reason = parsed.rejection() != null ? parsed.rejection().reason().id() : RejectReason.WRONG_ARITY.id();
            String detail = parsed.rejection() != null ? parsed.rejection().detail() : "not " + model.spec().inputSize() + " values";
            ctx.output(PredictFunction.DEAD_LETTERS, new DeadLetterRecord(record, reason, detail, maxKeyBytes, maxEventBytes));
            return;
        }
        float[] x = parsed.event().values();
        int outputs = model.spec().outputSize();
        int states = lstm ? 2 * hiddenFloats : hiddenFloats;
        float[] state = keyState.value();
        if (state == null) {
            state = new float[states + outputs + 1]; // h, c, the last forecast, whether there is one
        }
        float error = Float.NaN;
        if (state[states + outputs] != 0f) {
            double sum = 0;
            for (int i = 0; i < outputs; i++) {
                double d = x[i] - state[states + i];
                sum += d * d;
            }
            error = (float) Math.sqrt(sum / outputs);
        }
        float[] forecast;
        try (NDManager step = manager.newSubManager()) {
            ModelSpec s = model.spec();
            Shape stateShape = new Shape(s.numLayers(), 1, s.hiddenSize());
            NDArray in = step.create(x, new Shape(1, 1, s.inputSize()));
            NDArray h = step.create(java.util.Arrays.copyOfRange(state, 0, hiddenFloats), stateShape);
            NDList inputs = lstm
                    ? new NDList(in, h, step.create(java.util.Arrays.copyOfRange(state, hiddenFloats, states), stateShape))
                    : new NDList(in, h);
            NDList result = rnn.forward(store, inputs, false);
            forecast = head.forward(store, new NDList(result.get(0)), false).head().toFloatArray();
            System.arraycopy(result.get(1).toFloatArray(), 0, state, 0, hiddenFloats);
            if (lstm) {
                System.arraycopy(result.get(2).toFloatArray(), 0, state, hiddenFloats, hiddenFloats);
            }
        }
        System.arraycopy(forecast, 0, state, states, outputs);
        long events = (long) state[states + outputs] + 1; // exact up to 2^24 events per key: enough for a benchmark
        state[states + outputs] = events;
        keyState.update(state);
        ModelSpec s = model.spec();
        Prediction p = new Prediction(record.key, parsed.event().ts(), s.name(), s.version(), Task.REGRESSION, forecast, null,
                null, error, 0, false, null, events, false);
        out.collect(new PredictionRecord(record.key, p.ts(), p.model(), p.version(), PredictionJson.toBytes(p)));
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}

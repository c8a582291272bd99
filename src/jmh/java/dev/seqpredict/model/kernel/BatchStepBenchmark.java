package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RecurrentModel#stepBatch} of 1, 8, 16, 32 and 64 keys (input 8, one layer, a head of {@code outputs}:
 * the whole step as in {@link StepBenchmark}), scored per key-step ({@code @OperationsPerInvocation} = the batch), next
 * to {@code single}: {@link RecurrentModel#step} of one key, the same model in the same fork. 64 keys, their
 * states at offsets in one array as an engine would gather them; each key's input cycles through 64 random
 * vectors.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class BatchStepBenchmark {
    private static final int KEYS = 64;

    @Param({"lstm", "gru"})
    public String cell;

    @Param({"64"})
    public int hidden;

    @Param({"1"})
    public int layers;

    @Param({"vector"})
    public String kernel;

    /** Forecasts in the head: 1 (a NAB-like series), 8 (the bench command's sensor model, -p outputs=8). */
    @Param({"1"})
    public int outputs;

    private RecurrentModel model;
    private RecurrentModel.BatchScratch scratch;
    private float[] slab;
    private float[][] states;
    private int[] offsets;
    private float[][] inputs;
    private float[][] xs;
    private float[][] outs;
    private float[] single;
    private int t;
    private LayerKernel layer;
    private float[][] layerX;
    private int[] layerXOffs;
    private int[] hOffs;
    private int[] cOffs;
    private float[] layerScratch;

    @Setup
    public void setup() {
        KernelFactory k = switch (kernel) {
            case "vector" -> Kernels.vector().orElseThrow(
                    () -> new IllegalStateException("start the fork with --add-modules jdk.incubator.vector"));
            case "scalar" -> ScalarKernels.INSTANCE;
            default -> throw new IllegalArgumentException(kernel);
        };
        model = BenchModels.model(CellType.fromId(cell), BenchModels.INPUT, hidden, layers, outputs, k);
        scratch = model.newBatchScratch(KEYS);
        int size = model.stateSize();
        slab = new float[KEYS * size];
        states = new float[KEYS][];
        offsets = new int[KEYS];
        for (int j = 0; j < KEYS; j++) {
            states[j] = slab;
            offsets[j] = j * size;
        }
        single = model.newState();
        inputs = BenchModels.inputs(64, BenchModels.INPUT);
        xs = new float[KEYS][];
        outs = new float[KEYS][model.outputSize()];
        // the layer kernel alone, for the breakdown (same weights as the model's layer 0)
        layer = k.layer(BenchModels.layers(CellType.fromId(cell), BenchModels.INPUT, hidden, 1,
                new java.util.SplittableRandom(1234)).get(0));
        layerX = new float[KEYS][];
        layerXOffs = new int[KEYS];
        hOffs = new int[KEYS];
        cOffs = new int[KEYS];
        for (int j = 0; j < KEYS; j++) {
            layerX[j] = inputs[(5 * j) & 63];
            hOffs[j] = j * size;
            cOffs[j] = j * size + hidden;
        }
        layerScratch = new float[layer.batchScratchSize(KEYS)];
    }

    /** Breakdown: the layer kernel's stepBatch of 16 keys alone (no input copy, no head). */
    @Benchmark
    @OperationsPerInvocation(16)
    public float[] layer16() {
        layer.stepBatch(16, layerX, layerXOffs, states, hOffs, cOffs, layerScratch);
        return slab;
    }

    /** Breakdown: its mat-vec pass alone (vector kernel only). */
    @Benchmark
    @OperationsPerInvocation(16)
    public float[] matVec16() {
        ((VectorKernels.BatchMatVec) layer).matVecBatch(16, layerX, layerXOffs, states, hOffs, layerScratch);
        return layerScratch;
    }

    private float[][] batch(int n) {
        int s = t++;
        for (int j = 0; j < n; j++) {
            xs[j] = inputs[(s + 7 * j) & 63];
        }
        model.stepBatch(n, states, offsets, xs, outs, scratch);
        return outs;
    }

    @Benchmark
    public float[] single() {
        model.step(single, inputs[t++ & 63], outs[0]);
        return outs[0];
    }

    @Benchmark
    public float[][] batch1() {
        return batch(1);
    }

    @Benchmark
    @OperationsPerInvocation(8)
    public float[][] batch8() {
        return batch(8);
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public float[][] batch16() {
        return batch(16);
    }

    @Benchmark
    @OperationsPerInvocation(32)
    public float[][] batch32() {
        return batch(32);
    }

    /** The Flink job's default batch ({@code flink.batch.size} 64). */
    @Benchmark
    @OperationsPerInvocation(64)
    public float[][] batch64() {
        return batch(64);
    }
}

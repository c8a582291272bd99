package dev.seqpredict.model.kernel;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.RecurrentModel;
import java.util.SplittableRandom;
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
 * The batched step as a job runs it (BENCHMARKS §8): 64 keys per batch drawn from {@code keys} keys, each with
 * a state array of its own, and, with {@code evict}, a walk over 8 MiB between two batches (one read per cache
 * line), standing in for the rest of 64 events' work, which runs over the caches between two batches in a job.
 * {@code walkOnly} is that walk alone, so the step's own cost is {@code batch64 − walkOnly} (both per key-step).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class ColdBatchStepBenchmark {
    private static final int BATCH = 64;
    private static final int ROUNDS = 1024;

    @Param({"lstm"})
    public String cell;

    @Param({"64", "10000"})
    public int keys;

    @Param({"false", "true"})
    public boolean evict;

    @Param({"8"})
    public int outputs;

    private RecurrentModel model;
    private RecurrentModel.BatchScratch scratch;
    private float[][] all;
    private float[][] allOuts;
    private int[][] picks;
    private float[][] inputs;
    private float[][] states;
    private int[] offsets;
    private float[][] xs;
    private float[][] outs;
    private int[] walkArea;
    private int round;

    @Setup
    public void setup() {
        KernelFactory k = Kernels.vector().orElseThrow(
                () -> new IllegalStateException("start the fork with --add-modules jdk.incubator.vector"));
        model = BenchModels.model(CellType.fromId(cell), BenchModels.INPUT, 64, 1, outputs, k);
        scratch = model.newBatchScratch(BATCH);
        all = new float[keys][];
        allOuts = new float[keys][];
        for (int i = 0; i < keys; i++) {
            all[i] = model.newState();
            allOuts[i] = new float[model.outputSize()];
        }
        SplittableRandom rnd = new SplittableRandom(7);
        picks = new int[ROUNDS][BATCH];
        for (int r = 0; r < ROUNDS; r++) {
            for (int j = 0; j < BATCH; j++) {
                picks[r][j] = keys == BATCH ? j : rnd.nextInt(keys); // a repeat in one batch is harmless here
            }
        }
        inputs = BenchModels.inputs(64, BenchModels.INPUT);
        states = new float[BATCH][];
        offsets = new int[BATCH];
        xs = new float[BATCH][];
        outs = new float[BATCH][];
        walkArea = new int[8 << 18]; // 8 MiB
    }

    private int walk() {
        int sum = 0;
        for (int i = 0; i < walkArea.length; i += 16) {
            sum += walkArea[i]++;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int batch64() {
        int r = round++ & (ROUNDS - 1);
        int sum = evict ? walk() : 0;
        int[] p = picks[r];
        for (int j = 0; j < BATCH; j++) {
            states[j] = all[p[j]];
            outs[j] = allOuts[p[j]];
            xs[j] = inputs[(r + j) & 63];
        }
        model.stepBatch(BATCH, states, offsets, xs, outs, scratch);
        return sum + Float.floatToRawIntBits(outs[0][0]);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int walkOnly() {
        return evict ? walk() : 0;
    }
}

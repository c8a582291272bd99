package dev.seqpredict.model.kernel;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The linear head alone (y = W h + b over H = 64): the only part of the step that issue 15 changed for
 * the vector kernels (1 row: a regression forecast; 29, 200: log models' vocabularies). Compared with
 * main's kernels before the change (a benchmark-only copy) in commit ea1a6e4: BENCHMARKS.md §1c.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class HeadBenchmark {

    @Param({"1", "29", "200"})
    public int rows;

    @Param({"vector", "scalar"})
    public String kernel;

    private KernelFactory.MatVec head;
    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        KernelFactory k = kernel.equals("vector") ? VectorKernels.INSTANCE : ScalarKernels.INSTANCE;
        SplittableRandom rnd = new SplittableRandom(5);
        head = k.matVec(rows, 64, BenchModels.uniform(rnd, rows * 64, 0.125f), BenchModels.uniform(rnd, rows, 0.125f));
        x = BenchModels.uniform(rnd, 64, 1f);
        y = new float[k.matVecOutputFloats(rows)];
    }

    @Benchmark
    public float[] head() {
        head.apply(x, 0, y, 0);
        return y;
    }
}

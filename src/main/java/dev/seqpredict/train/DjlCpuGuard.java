package dev.seqpredict.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.training.ParameterStore;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes DJL's PyTorch engine compute the same LSTM as PyTorch's reference on every x86-64 CPU, and checks it
 * at startup.
 *
 * <p><b>Why.</b> On a 2-core AMD EPYC of CPU family 26 (Zen 5, AVX-512 with BF16/VNNI/VP2INTERSECT), DJL's
 * bundled libtorch 2.7.1 returns a wrong LSTM forward: our {@code StreamingEqualsBatchDjlTest} found output
 * differences of 0.04–0.13 at step 0 (1 and 2 layers, H = 16) where every other cell agrees to 1e-7, and the
 * project's own step agrees with PyTorch 1.13's {@code nn.LSTM} to 9.7e-7 on the same machine. libtorch's CPU
 * LSTM goes through oneDNN ({@code at::native::lstm} takes the {@code mkldnn_rnn} path whenever
 * {@code torch.backends.mkldnn.enabled}, in inference and in training), and oneDNN picks its kernels per
 * instruction set: with {@code ONEDNN_MAX_CPU_ISA=AVX2} the forward is right (3.7e-8), with
 * {@code AVX512_CORE} still wrong; with oneDNN switched off ({@code at::globalContext().setUserEnabledMkldnn(false)},
 * what {@code torch.backends.mkldnn.enabled = False} does) ATen's own LSTM runs and agrees to 4.5e-8 (the test
 * above is the regression check: it fails here when this guard is skipped). The earlier
 * machines of this project (AMD EPYC with 32 KiB L1d) never showed it, so the faulty path depends on the CPU
 * generation and cannot be predicted from the flags.
 *
 * <p><b>What.</b> {@link #ensure()} (called by {@link DjlNetwork#engine}, before the first forward of every DJL
 * use: {@code train}, its export check, the lab, the JMH DJL benchmark, the tests) turns oneDNN off for the
 * process through the exported libtorch symbols, so the same ATen code runs on every CPU. DJL offers no switch
 * for it and an environment variable ({@code ONEDNN_MAX_CPU_ISA}) would have to be set before the process starts.
 * System property {@value #PROPERTY}{@code =on} keeps libtorch's default (for measurements, and to show the
 * failure). Then a tiny LSTM (and GRU) forward is compared with the core's {@link RecurrentModel#step}; one log
 * line gives the outcome and what was done (ERROR when they disagree), and {@link #status()} reports it:
 * {@link SequenceTrainer} refuses to train on wrong numbers.
 */
public final class DjlCpuGuard {

    /** {@code off} (default): oneDNN disabled in libtorch; {@code on}: libtorch's default. */
    public static final String PROPERTY = "seqpredict.djl.onednn";

    /** Agreement bound of the self-check: right forwards agree to ~1e-7, the faulty one was off by 0.04. */
    static final float TOLERANCE = 1e-4f;

    private static final Logger LOG = LoggerFactory.getLogger(DjlCpuGuard.class);

    /** The outcome of the guard: whether oneDNN is on, and the self-check's largest difference. */
    public record Status(boolean oneDnnEnabled, float maxDifference, boolean agrees, String detail) {
    }

    private static Status status;
    private static boolean checking;

    private DjlCpuGuard() {
    }

    /** Applies the guard and runs the self-check once per process (the engine must be loaded); idempotent. */
    public static synchronized Status ensure() {
        if (status != null || checking) {
            return status; // checking: the self-check's own networks
        }
        checking = true;
        try {
            status = apply();
        } finally {
            checking = false;
        }
        return status;
    }

    private static Status apply() {
        boolean keep = "on".equalsIgnoreCase(System.getProperty(PROPERTY, "off").trim());
        String failure = keep ? null : setOneDnn(false);
        boolean enabled = keep || failure != null;
        String detail = keep ? "oneDNN left on (" + PROPERTY + "=on)"
                : failure == null ? "oneDNN turned off" : "oneDNN could not be turned off: " + failure;
        float diff = selfCheckDifference();
        boolean agrees = diff <= TOLERANCE;
        if (agrees) {
            LOG.info("DJL self-check passed: LSTM/GRU forward agrees with the core's step to {} ({}; CPU {})",
                    diff, detail, cpu());
        } else {
            LOG.error("DJL self-check FAILED: PyTorch's LSTM/GRU forward differs from the core's step by {} on this "
                    + "CPU ({}); {}. DJL's numbers on this machine are wrong: train refuses to run, benchmarks and "
                    + "the lab would mislead.{}", diff, cpu(), detail,
                    keep ? " Unset " + PROPERTY + " to turn oneDNN off." : "");
        }
        return new Status(enabled, diff, agrees, detail);
    }

    /** The guard's outcome, or null before {@link #ensure()}. */
    public static synchronized Status status() {
        return status;
    }

    /** Sets libtorch's global "user enabled mkldnn" flag; null when done, else why not. */
    static String setOneDnn(boolean on) {
        try {
            Path lib = Path.of(LibUtils.getLibtorchPath(), "libtorch_cpu.so");
            if (!Files.isRegularFile(lib)) {
                return "no " + lib;
            }
            NativeLibrary torch = NativeLibrary.getInstance(lib.toString());
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb").invokeVoid(new Object[] {context, on});
            Function get = torch.getFunction("_ZNK2at7Context17userEnabledMkldnnEv");
            boolean now = (get.invokeInt(new Object[] {context}) & 0xff) != 0;
            return now == on ? null : "the flag did not change";
        } catch (RuntimeException | LinkageError e) {
            return e.toString();
        }
    }

    /** Largest |DJL forward − core step| over a tiny LSTM (1 and 2 layers) and GRU run on random data. */
    static float selfCheckDifference() {
        float worst = 0f;
        for (CellType cell : new CellType[] {CellType.LSTM, CellType.GRU}) {
            for (int layers = 1; layers <= 2; layers++) {
                worst = Math.max(worst, difference(cell, layers));
            }
        }
        return worst;
    }

    private static float difference(CellType cell, int layers) {
        int in = 8;
        int hidden = 16;
        int out = 3;
        int steps = 12;
        int batch = 2;
        Random random = new Random(31L * cell.ordinal() + layers);
        try (DjlNetwork net = new DjlNetwork(cell, in, hidden, layers, out,
                new DjlNetwork.UniformInitializer(random, 0.25f)).initialize()) {
            float[] x = new float[batch * steps * in];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            NDArray input = net.manager().create(x, new Shape(batch, steps, in));
            float[] djl = net.block().forward(new ParameterStore(net.manager(), false), new NDList(input), false)
                    .head().toFloatArray();
            RecurrentModel model = net.export(ModelSpec.of(cell, in, hidden, layers, Task.REGRESSION, out));
            float[] features = new float[in];
            float[] y = new float[out];
            float worst = 0f;
            for (int b = 0; b < batch; b++) {
                float[] state = model.newState();
                for (int t = 0; t < steps; t++) {
                    System.arraycopy(x, (b * steps + t) * in, features, 0, in);
                    model.step(state, features, y);
                    for (int o = 0; o < out; o++) {
                        float d = Math.abs(y[o] - djl[(b * steps + t) * out + o]);
                        worst = Float.isNaN(d) ? Float.POSITIVE_INFINITY : Math.max(worst, d);
                    }
                }
            }
            return worst;
        }
    }

    private static String cpu() {
        try {
            String name = "";
            String family = "";
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (name.isEmpty() && line.startsWith("model name")) {
                    name = line.substring(line.indexOf(':') + 1).trim();
                } else if (family.isEmpty() && line.startsWith("cpu family")) {
                    family = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            return String.format(Locale.ROOT, "%s, family %s", name, family);
        } catch (Exception e) {
            return System.getProperty("os.arch");
        }
    }
}

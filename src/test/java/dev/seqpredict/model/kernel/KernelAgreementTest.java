package dev.seqpredict.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.model.kernel.KernelTrace.Case;
import dev.seqpredict.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same floats on every CPU: the scalar kernel and the Vector API kernels at 128, 256 and 512 bits
 * (4, 8, 16 lanes) and at this JVM's own width give bit-identical states and outputs over 20,000 recurrent
 * steps, for every cell, hidden sizes that are and are not multiples of the lane counts, one and two
 * layers, regression heads of 1–17 outputs and classification (softmax) over one-hot and embedding input
 * ({@link KernelTrace#cases}). The widths are chosen with {@code -Dseqpredict.vector.bits}, each in a JVM of
 * its own, so the test does not depend on the CPU it runs on (a width the CPU lacks runs in the Vector
 * API's Java fallback: slower, the same floats).
 */
class KernelAgreementTest {

    static Stream<Case> cases() {
        return KernelTrace.cases().stream();
    }

    /** This JVM's width against the scalar kernel, compared after every step (the failure names the step). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thisJvmsVectorWidthAndTheScalarKernelGiveTheSameBitsAtEveryStep(Case c) {
        KernelTrace.Run scalar = new KernelTrace.Run(c, ScalarKernels.INSTANCE);
        KernelTrace.Run vector = new KernelTrace.Run(c, VectorKernels.INSTANCE);
        float maxAbsState = 0;
        for (int t = 0; t < KernelTrace.STEPS; t++) {
            scalar.step();
            vector.step();
            if (!sameBits(scalar.state, vector.state) || !sameBits(scalar.out, vector.out)) {
                String what = vector.model.kernelName() + " vs scalar at step " + t;
                assertThat(bits(vector.state)).as("state, " + what).containsExactly(bits(scalar.state));
                assertThat(bits(vector.out)).as("output, " + what).containsExactly(bits(scalar.out));
            }
            for (float s : scalar.state) {
                maxAbsState = Math.max(maxAbsState, Math.abs(s));
            }
        }
        // the comparison means something only if the state actually moved
        assertThat(maxAbsState).as("max |state|").isGreaterThan(0.05f);
        for (float o : scalar.out) {
            assertThat(Float.isFinite(o)).as("the last output is finite: %s", o).isTrue();
        }
    }

    @Test
    void vectorKernelsAt128And256And512BitsGiveTheScalarKernelsBits(@TempDir Path dir) throws Exception {
        int[] widths = {128, 256, 512};
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int bits : widths) {
                children.add(ChildJvm.start("kernel-trace-" + bits, dir, "256m",
                        List.of("-D" + VectorKernels.BITS_PROPERTY + "=" + bits,
                                "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"),
                        KernelTrace.class.getName(), dir.resolve(bits + ".txt").toString()));
            }
            List<String> scalar = new ArrayList<>();
            for (Case c : KernelTrace.cases()) {
                scalar.add(KernelTrace.line(c, KernelTrace.fingerprints(c, ScalarKernels.INSTANCE)));
            }
            for (int i = 0; i < widths.length; i++) {
                ChildJvm child = children.get(i);
                assertThat(child.waitFor(Duration.ofMinutes(10))).as("exit code of %s:%n%s", child.name(), child.tail(20))
                        .isZero();
                List<String> lines = Files.readAllLines(dir.resolve(widths[i] + ".txt"), StandardCharsets.UTF_8);
                assertThat(lines.get(0)).as("the kernel the child ran").isEqualTo("vector" + widths[i]);
                List<String> vector = lines.subList(1, lines.size());
                assertThat(vector).hasSameSizeAs(scalar);
                for (int k = 0; k < scalar.size(); k++) {
                    assertThat(vector.get(k)).as("%s vs scalar, %s", lines.get(0), where(scalar.get(k), vector.get(k)))
                            .isEqualTo(scalar.get(k));
                }
            }
        } finally {
            for (ChildJvm child : children) {
                child.close();
            }
        }
    }

    /** "case X, first difference within steps [a, b)" from two {@link KernelTrace#line}s. */
    private static String where(String expected, String actual) {
        String[] e = expected.split(" ");
        String[] a = actual.split(" ");
        for (int i = 1; i < Math.min(e.length, a.length); i++) {
            if (!e[i].equals(a[i])) {
                return e[0] + ", first difference within steps [" + (i - 1) * KernelTrace.CHECKPOINT + ", "
                        + i * KernelTrace.CHECKPOINT + ")";
            }
        }
        return e[0];
    }

    private static boolean sameBits(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static int[] bits(float[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Float.floatToRawIntBits(a[i]);
        }
        return out;
    }
}

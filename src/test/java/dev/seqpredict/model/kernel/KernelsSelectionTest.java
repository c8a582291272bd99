package dev.seqpredict.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Surefire starts the JVM with --add-modules jdk.incubator.vector: the vector kernels must be chosen. */
class KernelsSelectionTest {

    @Test
    void vectorKernelsAreTheDefaultWhenTheModuleIsPresent() {
        assertThat(Kernels.vectorModulePresent()).isTrue();
        assertThat(Kernels.vector()).containsSame(VectorKernels.INSTANCE);
        assertThat(Kernels.defaultFactory()).isInstanceOf(VectorKernels.class);
        assertThat(Kernels.defaultFactory().name()).startsWith("vector");
    }
}

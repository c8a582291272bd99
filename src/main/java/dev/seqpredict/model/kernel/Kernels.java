package dev.seqpredict.model.kernel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernel implementation at run time: the Vector API kernels when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, else the scalar ones. {@code -Dseqpredict.kernel=scalar}
 * forces the scalar path.
 */
public final class Kernels {
    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
    private static final String VECTOR_FACTORY = "dev.seqpredict.model.kernel.VectorKernels";
    private static volatile KernelFactory defaultFactory;

    private Kernels() {
    }

    public static KernelFactory defaultFactory() {
        KernelFactory f = defaultFactory;
        if (f == null) {
            synchronized (Kernels.class) {
                f = defaultFactory;
                if (f == null) {
                    f = choose();
                    defaultFactory = f;
                }
            }
        }
        return f;
    }

    /**
     * Replaces the factory that models built from now on use ({@link dev.seqpredict.model.ModelArtifact#load},
     * {@code RecurrentModel.create}); {@code null} restores the run-time choice. For measurements in one JVM
     * only (the {@code bench} command runs the real jobs with a no-math factory to isolate the cost of the
     * engine around the step); production code never calls it. Models already built keep their kernels.
     */
    public static void overrideDefaultFactory(KernelFactory factory) {
        synchronized (Kernels.class) {
            defaultFactory = factory;
        }
    }

    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The Vector API factory, or empty when the module is absent or the class missing. */
    public static java.util.Optional<KernelFactory> vector() {
        if (!vectorModulePresent()) {
            return java.util.Optional.empty();
        }
        try {
            // Loaded reflectively so that no Vector API class is touched when the module is absent.
            return java.util.Optional.of((KernelFactory) Class.forName(VECTOR_FACTORY)
                    .getField("INSTANCE").get(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warn("Vector API kernels unavailable ({}); using scalar kernels", e.toString());
            return java.util.Optional.empty();
        }
    }

    private static KernelFactory choose() {
        if ("scalar".equalsIgnoreCase(System.getProperty("seqpredict.kernel"))) {
            LOG.info("Using scalar kernels (-Dseqpredict.kernel=scalar)");
            return ScalarKernels.INSTANCE;
        }
        var vector = vector();
        if (vector.isPresent()) {
            // logged because the choice shows in the last bits of a prediction: see README "Guarantees"
            LOG.info("Using Vector API kernels ({})", vector.get().name());
            return vector.get();
        }
        if (!vectorModulePresent()) {
            LOG.info("jdk.incubator.vector not present; using scalar kernels "
                    + "(start the JVM with --add-modules jdk.incubator.vector for the fast path)");
        }
        return ScalarKernels.INSTANCE;
    }
}

package dev.seqpredict.model;

import dev.seqpredict.model.kernel.KernelFactory;
import dev.seqpredict.model.kernel.Kernels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The model artifact: one safetensors file whose tensors carry PyTorch's {@code state_dict} names
 * ({@code rnn.weight_ih_l0}, {@code rnn.weight_hh_l0}, {@code rnn.bias_ih_l0}, {@code rnn.bias_hh_l0}, …,
 * {@code head.weight}, {@code head.bias}, optionally {@code embedding.weight}) and whose
 * {@code __metadata__} holds the {@link ModelSpec} as JSON under the key {@code seqpredict}.
 *
 * <p>Loading validates everything and fails with a {@link ModelFormatException} that names the problem.
 */
public final class ModelArtifact {

    public static final String METADATA_KEY = "seqpredict";
    /** Default bound on an artifact's size; configurable per loader call. */
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
    /** The largest artifact a byte[] can hold (the JVM's array limit): no limit can be set above it. */
    public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private ModelArtifact() {
    }

    public static RecurrentModel load(Path file) throws ModelFormatException, IOException {
        return load(file, DEFAULT_MAX_BYTES);
    }

    public static RecurrentModel load(Path file, long maxBytes) throws ModelFormatException, IOException {
        long size = Files.size(file);
        if (size > Math.min(maxBytes, MAX_ARRAY_BYTES)) {
            throw new ModelFormatException("model file " + file + " is " + size + " bytes, above the limit of "
                    + Math.min(maxBytes, MAX_ARRAY_BYTES));
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) size);
        }
        return load(bytes, maxBytes);
    }

    public static RecurrentModel load(byte[] bytes) throws ModelFormatException {
        return load(bytes, DEFAULT_MAX_BYTES);
    }

    public static RecurrentModel load(byte[] bytes, long maxBytes) throws ModelFormatException {
        return load(bytes, maxBytes, Kernels.defaultFactory());
    }

    public static RecurrentModel load(byte[] bytes, long maxBytes, KernelFactory kernels) throws ModelFormatException {
        if (bytes == null || bytes.length == 0) {
            throw new ModelFormatException("empty model artifact");
        }
        if (bytes.length > maxBytes) {
            throw new ModelFormatException("model artifact is " + bytes.length + " bytes, above the limit of " + maxBytes);
        }
        SafeTensors.Contents contents = SafeTensors.read(bytes);
        String specJson = contents.metadata().get(METADATA_KEY);
        if (specJson == null) {
            throw new ModelFormatException("no '" + METADATA_KEY + "' entry in __metadata__: not a seqpredict model "
                    + "(see the README for the spec to add)");
        }
        ModelSpec spec = ModelSpec.fromJson(specJson);
        Map<String, Tensor> tensors = new LinkedHashMap<>(contents.tensors());
        int g = spec.cell().gates();
        int h = spec.hiddenSize();

        float[] embedding = null;
        if (spec.embedding()) {
            embedding = take(tensors, "embedding.weight", spec.vocabularySize(), spec.inputSize());
        }
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < spec.numLayers(); l++) {
            int in = l == 0 ? spec.inputSize() : h;
            layers.add(new LayerWeights(spec.cell(), in, h,
                    take(tensors, "rnn.weight_ih_l" + l, g * h, in),
                    take(tensors, "rnn.weight_hh_l" + l, g * h, h),
                    take(tensors, "rnn.bias_ih_l" + l, g * h),
                    take(tensors, "rnn.bias_hh_l" + l, g * h)));
        }
        float[] headWeight = take(tensors, "head.weight", spec.outputSize(), h);
        float[] headBias = take(tensors, "head.bias", spec.outputSize());
        if (!tensors.isEmpty()) {
            throw new ModelFormatException("unexpected tensors " + new TreeSet<>(tensors.keySet()) + " for a "
                    + spec.numLayers() + "-layer " + spec.cell() + (spec.embedding() ? " with embedding" : ""));
        }
        return RecurrentModel.create(spec, layers, headWeight, headBias, embedding, kernels, sha256Hex(bytes));
    }

    private static float[] take(Map<String, Tensor> tensors, String name, int... shape) throws ModelFormatException {
        Tensor t = tensors.remove(name);
        if (t == null) {
            throw new ModelFormatException("missing tensor '" + name + "' (expected shape " + java.util.Arrays.toString(shape) + ")");
        }
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + t.shapeString() + ", expected "
                    + java.util.Arrays.toString(shape));
        }
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                throw new ModelFormatException("tensor '" + name + "' has a non-finite value (" + d[i] + ") at index " + i);
            }
        }
        return d;
    }

    /** Serializes a model to the artifact format (F32). */
    public static byte[] toBytes(RecurrentModel model) {
        return SafeTensors.write(model.tensors(), Map.of(METADATA_KEY, model.spec().toJson()));
    }

    public static void write(RecurrentModel model, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, toBytes(model));
    }

    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}

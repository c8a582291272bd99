package dev.seqpredict.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.testing.Allocations;
import dev.seqpredict.testing.ByteMutation;
import dev.seqpredict.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Hostile model artifacts: {@link ModelArtifact#load(byte[])} either returns a model or throws
 * {@link ModelFormatException} with a non-blank message (never anything else), and no call allocates
 * more than {@value #BYTES_PER_INPUT_BYTE} × the artifact's size + {@value #CONSTANT_BYTES}, whatever
 * sizes the file declares.
 */
class ModelArtifactPropertiesTest {

    static final long BYTES_PER_INPUT_BYTE = 64;
    static final long CONSTANT_BYTES = 256 * 1024;

    private static final byte[] LSTM = ModelArtifact.toBytes(TestModels.regression(1, CellType.LSTM, 3, 8, 2, "sensors", "7"));
    private static final byte[] GRU_LOGS = ModelArtifact.toBytes(TestModels.classification(2, CellType.GRU, 6, 4, 1, "logs", "1"));
    private static final String VALID_SPEC = ModelSpec.of(CellType.RNN_TANH, 1, 1, 1, Task.REGRESSION, 1).toJson();
    private static long worstOverhead = Long.MIN_VALUE;

    static {
        for (int i = 0; i < 50; i++) {   // class loading and JIT warm-up outside the measured calls
            warm(LSTM);
            warm(GRU_LOGS);
            warm(java.util.Arrays.copyOf(LSTM, 100));
            warm(withHeader("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", new byte[2]));
            warm(withHeader("{\"__metadata__\":{\"seqpredict\":\"{\\\"cell\\\":\\\"x\\\"}\"}}", new byte[0]));
            warm(withHeader("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", new byte[0]));
        }
    }

    private static void warmQuietly(byte[] bytes) {
        try {
            ModelArtifact.load(bytes);
        } catch (Throwable t) {
            // reported by the measured call
        }
    }

    private static void warm(byte[] bytes) {
        try {
            ModelArtifact.load(bytes);
        } catch (ModelFormatException e) {
            // expected for most
        }
    }

    /**
     * Loads under the allocation bound; returns the model, or null when it was rejected as documented.
     * The input is loaded once unmeasured first: the first run of a code path links call sites (string
     * concatenation, lambdas) and loads classes, a one-time cost that is not the input's doing.
     */
    static RecurrentModel loadChecked(byte[] bytes) {
        warmQuietly(bytes);
        long before = Allocations.current();
        RecurrentModel model = null;
        ModelFormatException rejected = null;
        try {
            model = ModelArtifact.load(bytes);
        } catch (ModelFormatException e) {
            rejected = e;
        } catch (Throwable t) {
            throw new AssertionError("load threw " + t + " instead of ModelFormatException for " + preview(bytes), t);
        }
        long allocated = Allocations.current() - before;   // nothing but the load is measured
        if (rejected != null) {
            assertThat(rejected.getMessage()).isNotBlank();
        }
        synchronized (ModelArtifactPropertiesTest.class) {
            worstOverhead = Math.max(worstOverhead, allocated - BYTES_PER_INPUT_BYTE * bytes.length);
        }
        assertThat(allocated).as("bytes allocated loading %s", preview(bytes))
                .isLessThanOrEqualTo(BYTES_PER_INPUT_BYTE * bytes.length + CONSTANT_BYTES);
        return model;
    }

    static void assertRejected(byte[] bytes) {
        assertThat(loadChecked(bytes)).as("accepted %s", preview(bytes)).isNull();
    }

    @AfterContainer
    static void report() {
        System.out.println("ModelArtifactPropertiesTest: worst allocation above " + BYTES_PER_INPUT_BYTE
                + " B/input byte: " + worstOverhead + " B (bound " + CONSTANT_BYTES + ")");
    }

    // ---- random bytes, truncation, mutation ------------------------------------------------------

    @Property(tries = 1000)
    void randomBytesAreRejected(@ForAll @Size(max = 4096) byte[] bytes) {
        assertRejected(bytes);
    }

    @Property(tries = 1000)
    void anyHeaderLengthWithAnyTailIsRejected(@ForAll long headerLength, @ForAll @Size(max = 512) byte[] tail) {
        ByteBuffer b = ByteBuffer.allocate(8 + tail.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(tail);
        assertRejected(b.array());
    }

    @Property(tries = 500)
    void everyTruncationOfAValidArtifactIsRejected(@ForAll("artifacts") byte[] valid, @ForAll @IntRange(min = 0, max = 1_000_000) int cut) {
        assertRejected(java.util.Arrays.copyOf(valid, cut % valid.length));
    }

    @Property(tries = 500)
    void headerLengthBeyondTheFileIsRejected(@ForAll("artifacts") byte[] valid, @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int extra) {
        byte[] b = valid.clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long declared = Math.min(SafeTensors.MAX_HEADER_BYTES + 1L, (long) (b.length - 8) + extra);
        buf.putLong(0, declared);
        assertRejected(b);
    }

    @Property(tries = 2000)
    void mutatedArtifactsLoadOrAreRejected(@ForAll("artifacts") byte[] valid, @ForAll("mutations") List<ByteMutation> mutations,
                                           @ForAll boolean headerOnly) {
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] b = valid;
        for (ByteMutation m : mutations) {
            b = m.apply(b, headerOnly ? headerEnd : b.length);
        }
        RecurrentModel m = loadChecked(b);
        if (m != null) {
            // whatever survives mutation is a fully valid model: finite weights, consistent shapes
            for (Tensor t : m.tensors()) {
                for (float v : t.data()) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            }
        }
    }

    // ---- declared sizes, types, depth, duplicates ------------------------------------------------

    @Property(tries = 1000)
    void hugeDeclaredTensorSizesAreRejectedWithoutAllocating(@ForAll("dtypes") String dtype,
                                                            @ForAll @Size(min = 0, max = 9) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> shape,
                                                            @ForAll long begin, @ForAll long end,
                                                            @ForAll @IntRange(min = 0, max = 256) int dataBytes) {
        String header = "{\"__metadata__\":{\"seqpredict\":" + quote(VALID_SPEC) + "},\"t\":{\"dtype\":\"" + dtype
                + "\",\"shape\":" + shape.toString().replace(" ", "") + ",\"data_offsets\":[" + begin + "," + end + "]}}";
        assertRejected(withHeader(header, new byte[dataBytes]));
    }

    @Property(tries = 1000)
    void wrongTypesInTensorEntriesAreRejected(@ForAll("jsonValues") String dtype, @ForAll("jsonValues") String shape,
                                              @ForAll("jsonValues") String offsets, @ForAll("jsonValues") String metadata) {
        String header = "{\"__metadata__\":" + metadata + ",\"t\":{\"dtype\":" + dtype + ",\"shape\":" + shape
                + ",\"data_offsets\":" + offsets + "}}";
        assertRejected(withHeader(header, new byte[8]));
        assertRejected(withHeader("{\"t\":" + dtype + "}", new byte[0]));
    }

    @Provide
    Arbitrary<String> jsonValues() {
        return Arbitraries.of("null", "true", "0", "-1", "1.5", "1e400", "\"F32\"", "\"BF16\"", "\"\"", "[]", "[2]", "[-1]",
                "[1.5]", "[\"2\"]", "[0,8]", "[8,0]", "[0,8,16]", "[0,-8]", "[0,9223372036854775807]", "[2147483648]",
                "[2147483647,2147483647,2147483647]", "{}", "{\"seqpredict\":1}", "{\"seqpredict\":\"{}\"}", "[[[]]]", "NaN");
    }

    @Property(tries = 300)
    void deepJsonIsRejected(@ForAll @IntRange(min = 1, max = 50_000) int depth, @ForAll boolean objects, @ForAll boolean inSpec) {
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            deep.append(objects ? "{\"a\":" : "[");
        }
        deep.append("1");
        for (int i = 0; i < depth; i++) {
            deep.append(objects ? "}" : "]");
        }
        String header;
        if (inSpec) {
            String spec = VALID_SPEC.substring(0, VALID_SPEC.length() - 1) + ",\"training\":" + deep + "}";
            header = "{\"__metadata__\":{\"seqpredict\":" + quote(spec) + "}}";
        } else {
            header = "{\"__metadata__\":{},\"t\":" + deep + "}";
        }
        assertRejected(withHeader(header, new byte[0]));
    }

    @Property(tries = 300)
    void duplicatedTensorsAndMetadataKeysAreRejected(@ForAll("duplicates") String which) {
        String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        String header = switch (which) {
            case "tensor" -> "{\"__metadata__\":{\"seqpredict\":" + quote(VALID_SPEC) + "},\"head.bias\":" + t + ",\"head.bias\":" + t + "}";
            case "metadata" -> "{\"__metadata__\":{\"seqpredict\":" + quote(VALID_SPEC) + "},\"__metadata__\":{}}";
            case "metadata-key" -> "{\"__metadata__\":{\"seqpredict\":\"{}\",\"seqpredict\":" + quote(VALID_SPEC) + "}}";
            default -> "{\"__metadata__\":{\"seqpredict\":" + quote(VALID_SPEC) + "},\"head.bias\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        };
        assertRejected(withHeader(header, new byte[4]));
    }

    @Provide
    Arbitrary<String> duplicates() {
        return Arbitraries.of("tensor", "metadata", "metadata-key", "field");
    }

    @Property(tries = 500)
    void duplicatedSpecFieldsAreRejected(@ForAll("specFields") String field, @ForAll("jsonValues") String otherValue) {
        // A spec with a field twice is ambiguous (parsers differ on which one wins): reject it.
        String spec = VALID_SPEC.substring(0, VALID_SPEC.length() - 1) + ",\"" + field + "\":" + otherValue + "}";
        byte[] tensors = ModelArtifact.toBytes(TestModels.regression(4, CellType.RNN_TANH, 1, 1, 1, "model", "0"));
        byte[] file = replaceSpec(tensors, spec);
        assertRejected(file);
    }

    @Provide
    Arbitrary<String> specFields() {
        return Arbitraries.of("cell", "input_size", "hidden_size", "num_layers", "task", "output_size", "name", "version");
    }

    @Property(tries = 1000)
    void hostileSpecsLoadOrAreRejected(@ForAll("specValues") String cell, @ForAll("dims") String input, @ForAll("dims") String hidden,
                                       @ForAll("dims") String layers, @ForAll("specValues") String task, @ForAll("dims") String output,
                                       @ForAll("extras") String extra) {
        String spec = "{\"cell\":" + cell + ",\"input_size\":" + input + ",\"hidden_size\":" + hidden + ",\"num_layers\":" + layers
                + ",\"task\":" + task + ",\"output_size\":" + output + extra + "}";
        loadChecked(replaceSpec(LSTM, spec));
    }

    @Provide
    Arbitrary<String> specValues() {
        return Arbitraries.of("\"lstm\"", "\"gru\"", "\"rnn_tanh\"", "\"rnn_relu\"", "\"regression\"", "\"classification\"", "\"LSTM\"", "1", "null", "[]", "{}", "\"\"");
    }

    @Provide
    Arbitrary<String> dims() {
        return Arbitraries.of("1", "2", "3", "8", "0", "-1", "65536", "65537", "2147483647", "2147483648", "1.0", "\"3\"", "null", "1e9");
    }

    @Provide
    Arbitrary<String> extras() {
        return Arbitraries.of("", ",\"normalization\":{\"mean\":[0,0,0],\"std\":[1,1,1]}", ",\"normalization\":{\"mean\":[1e39,0,0],\"std\":[1,1,1]}",
                ",\"normalization\":{\"mean\":[0,0,0],\"std\":[0,1,1]}", ",\"normalization\":{\"mean\":[0],\"std\":[1,1,1]}",
                ",\"vocabulary\":[\"a\",\"a\"]", ",\"vocabulary\":[1,2]", ",\"embedding\":true", ",\"feature_names\":[\"a\"]",
                ",\"normalization\":[]", ",\"target_normalization\":{\"mean\":[0,0,0],\"std\":[-1,1,1]}", ",\"training\":{\"x\":[1,2]}");
    }

    @Property(tries = 500)
    void nonFiniteWeightsAreRejected(@ForAll("artifacts") byte[] valid, @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int index,
                                     @ForAll("nonFinite") float value) {
        int dataStart = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        int floats = (valid.length - dataStart) / 4;
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(dataStart + 4 * (index % floats), value);
        assertRejected(b);
    }

    @Provide
    Arbitrary<Float> nonFinite() {
        return Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001),
                Float.intBitsToFloat(0xff800001));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> artifacts() {
        return Arbitraries.of(LSTM, GRU_LOGS);
    }

    @Provide
    Arbitrary<String> dtypes() {
        return Arbitraries.of("F32", "F16", "BF16", "F64", "I8", "U8", "");
    }

    @Provide
    Arbitrary<List<ByteMutation>> mutations() {
        return ByteMutation.lists();
    }

    /** The artifact with its spec JSON replaced (tensors and other metadata unchanged). */
    static byte[] replaceSpec(byte[] artifact, String spec) {
        long headerLen = ByteBuffer.wrap(artifact).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(artifact, 8, (int) headerLen, StandardCharsets.UTF_8).strip();
        int start = header.indexOf("\"seqpredict\":") + "\"seqpredict\":".length();
        int end = endOfJsonString(header, start);
        String newHeader = header.substring(0, start) + quote(spec) + header.substring(end);
        byte[] data = java.util.Arrays.copyOfRange(artifact, 8 + (int) headerLen, artifact.length);
        return withHeader(newHeader, data);
    }

    private static int endOfJsonString(String s, int openQuote) {
        for (int i = openQuote + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == '"') {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }

    static byte[] withHeader(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String preview(byte[] b) {
        int n = Math.min(b.length, 160);
        return b.length + " bytes: " + new String(b, 0, n, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".")
                + (b.length > n ? "…" : "");
    }

}

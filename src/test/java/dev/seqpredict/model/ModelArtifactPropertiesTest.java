package dev.seqpredict.model;

import static dev.seqpredict.testing.RandomInputs.anyLong;
import static dev.seqpredict.testing.RandomInputs.bool;
import static dev.seqpredict.testing.RandomInputs.forEachTry;
import static dev.seqpredict.testing.RandomInputs.intBetween;
import static dev.seqpredict.testing.RandomInputs.pick;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.testing.Allocations;
import dev.seqpredict.testing.ByteMutation;
import dev.seqpredict.testing.RandomInputs;
import dev.seqpredict.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile model artifacts: {@link ModelArtifact#load(byte[])} either returns a model or throws
 * {@link ModelFormatException} with a non-blank message (never anything else), and no call allocates
 * more than {@value #BYTES_PER_INPUT_BYTE} × the artifact's size + {@value #CONSTANT_BYTES}, whatever
 * sizes the file declares. Each property runs a fixed number of tries over seeded random inputs
 * ({@link RandomInputs}).
 */
class ModelArtifactPropertiesTest {

    private static final long SEED = 0x4D6F_6465_6C41_7274L;
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

    @AfterAll
    static void report() {
        System.out.println("ModelArtifactPropertiesTest: worst allocation above " + BYTES_PER_INPUT_BYTE
                + " B/input byte: " + worstOverhead + " B (bound " + CONSTANT_BYTES + ")");
    }

    // ---- random bytes, truncation, mutation ------------------------------------------------------

    @Test
    void randomBytesAreRejected() {
        forEachTry("randomBytesAreRejected", SEED, 1000, r -> assertRejected(RandomInputs.bytes(r, 0, 4096)));
    }

    @Test
    void anyHeaderLengthWithAnyTailIsRejected() {
        forEachTry("anyHeaderLengthWithAnyTailIsRejected", SEED + 1, 1000, r -> {
            long headerLength = anyLong(r);
            byte[] tail = RandomInputs.bytes(r, 0, 512);
            ByteBuffer b = ByteBuffer.allocate(8 + tail.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(headerLength).put(tail);
            assertRejected(b.array());
        });
    }

    @Test
    void everyTruncationOfAValidArtifactIsRejected() {
        forEachTry("everyTruncationOfAValidArtifactIsRejected", SEED + 2, 500, r -> {
            byte[] valid = artifact(r);
            int cut = intBetween(r, 0, 1_000_000);
            assertRejected(java.util.Arrays.copyOf(valid, cut % valid.length));
        });
    }

    @Test
    void headerLengthBeyondTheFileIsRejected() {
        forEachTry("headerLengthBeyondTheFileIsRejected", SEED + 3, 500, r -> {
            byte[] valid = artifact(r);
            int extra = intBetween(r, 1, Integer.MAX_VALUE);
            byte[] b = valid.clone();
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            long declared = Math.min(SafeTensors.MAX_HEADER_BYTES + 1L, (long) (b.length - 8) + extra);
            buf.putLong(0, declared);
            assertRejected(b);
        });
    }

    @Test
    void mutatedArtifactsLoadOrAreRejected() {
        forEachTry("mutatedArtifactsLoadOrAreRejected", SEED + 4, 2000, r -> {
            byte[] valid = artifact(r);
            List<ByteMutation> mutations = ByteMutation.randomList(r);
            boolean headerOnly = bool(r);
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
        });
    }

    // ---- declared sizes, types, depth, duplicates ------------------------------------------------

    @Test
    void hugeDeclaredTensorSizesAreRejectedWithoutAllocating() {
        forEachTry("hugeDeclaredTensorSizesAreRejectedWithoutAllocating", SEED + 5, 1000, r -> {
            String dtype = pick(r, DTYPES);
            List<Integer> shape = RandomInputs.listOf(r, 0, 9, g -> intBetween(g, 0, Integer.MAX_VALUE));
            long begin = anyLong(r);
            long end = anyLong(r);
            int dataBytes = intBetween(r, 0, 256);
            String header = "{\"__metadata__\":{\"seqpredict\":" + quote(VALID_SPEC) + "},\"t\":{\"dtype\":\"" + dtype
                    + "\",\"shape\":" + shape.toString().replace(" ", "") + ",\"data_offsets\":[" + begin + "," + end + "]}}";
            assertRejected(withHeader(header, new byte[dataBytes]));
        });
    }

    @Test
    void wrongTypesInTensorEntriesAreRejected() {
        forEachTry("wrongTypesInTensorEntriesAreRejected", SEED + 6, 1000, r -> {
            String dtype = pick(r, JSON_VALUES);
            String shape = pick(r, JSON_VALUES);
            String offsets = pick(r, JSON_VALUES);
            String metadata = pick(r, JSON_VALUES);
            String header = "{\"__metadata__\":" + metadata + ",\"t\":{\"dtype\":" + dtype + ",\"shape\":" + shape
                    + ",\"data_offsets\":" + offsets + "}}";
            assertRejected(withHeader(header, new byte[8]));
            assertRejected(withHeader("{\"t\":" + dtype + "}", new byte[0]));
        });
    }

    private static final String[] JSON_VALUES = {"null", "true", "0", "-1", "1.5", "1e400", "\"F32\"", "\"BF16\"", "\"\"", "[]", "[2]", "[-1]",
            "[1.5]", "[\"2\"]", "[0,8]", "[8,0]", "[0,8,16]", "[0,-8]", "[0,9223372036854775807]", "[2147483648]",
            "[2147483647,2147483647,2147483647]", "{}", "{\"seqpredict\":1}", "{\"seqpredict\":\"{}\"}", "[[[]]]", "NaN"};

    @Test
    void deepJsonIsRejected() {
        forEachTry("deepJsonIsRejected", SEED + 7, 300, r -> {
            int depth = intBetween(r, 1, 50_000);
            boolean objects = bool(r);
            boolean inSpec = bool(r);
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
        });
    }

    private static final String[] DUPLICATES = {"tensor", "metadata", "metadata-key", "field"};

    /** 300 tries cycling through the 4 kinds of duplicate. */
    @Test
    void duplicatedTensorsAndMetadataKeysAreRejected() {
        forEachTry("duplicatedTensorsAndMetadataKeysAreRejected", SEED + 8, 300, (r, i) -> {
            String which = DUPLICATES[i % DUPLICATES.length];
            String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
            String header = switch (which) {
                case "tensor" -> "{\"__metadata__\":{\"seqpredict\":" + quote(VALID_SPEC) + "},\"head.bias\":" + t + ",\"head.bias\":" + t + "}";
                case "metadata" -> "{\"__metadata__\":{\"seqpredict\":" + quote(VALID_SPEC) + "},\"__metadata__\":{}}";
                case "metadata-key" -> "{\"__metadata__\":{\"seqpredict\":\"{}\",\"seqpredict\":" + quote(VALID_SPEC) + "}}";
                default -> "{\"__metadata__\":{\"seqpredict\":" + quote(VALID_SPEC) + "},\"head.bias\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}";
            };
            assertRejected(withHeader(header, new byte[4]));
        });
    }

    private static final String[] SPEC_FIELDS = {"cell", "input_size", "hidden_size", "num_layers", "task", "output_size", "name", "version"};

    /** 500 tries cycling through all 8 × 26 field/value pairs (each at least twice). */
    @Test
    void duplicatedSpecFieldsAreRejected() {
        byte[] tensors = ModelArtifact.toBytes(TestModels.regression(4, CellType.RNN_TANH, 1, 1, 1, "model", "0"));
        forEachTry("duplicatedSpecFieldsAreRejected", SEED + 9, 500, (r, i) -> {
            int pair = i % (SPEC_FIELDS.length * JSON_VALUES.length);
            String field = SPEC_FIELDS[pair / JSON_VALUES.length];
            String otherValue = JSON_VALUES[pair % JSON_VALUES.length];
            // A spec with a field twice is ambiguous (parsers differ on which one wins): reject it.
            String spec = VALID_SPEC.substring(0, VALID_SPEC.length() - 1) + ",\"" + field + "\":" + otherValue + "}";
            byte[] file = replaceSpec(tensors, spec);
            assertRejected(file);
        });
    }

    @Test
    void hostileSpecsLoadOrAreRejected() {
        forEachTry("hostileSpecsLoadOrAreRejected", SEED + 10, 1000, r -> {
            String spec = "{\"cell\":" + pick(r, SPEC_VALUES) + ",\"input_size\":" + pick(r, DIMS) + ",\"hidden_size\":" + pick(r, DIMS)
                    + ",\"num_layers\":" + pick(r, DIMS) + ",\"task\":" + pick(r, SPEC_VALUES) + ",\"output_size\":" + pick(r, DIMS)
                    + pick(r, EXTRAS) + "}";
            loadChecked(replaceSpec(LSTM, spec));
        });
    }

    private static final String[] SPEC_VALUES = {"\"lstm\"", "\"gru\"", "\"rnn_tanh\"", "\"rnn_relu\"", "\"regression\"", "\"classification\"",
            "\"LSTM\"", "1", "null", "[]", "{}", "\"\""};

    private static final String[] DIMS = {"1", "2", "3", "8", "0", "-1", "65536", "65537", "2147483647", "2147483648", "1.0", "\"3\"", "null", "1e9"};

    private static final String[] EXTRAS = {"", ",\"normalization\":{\"mean\":[0,0,0],\"std\":[1,1,1]}", ",\"normalization\":{\"mean\":[1e39,0,0],\"std\":[1,1,1]}",
            ",\"normalization\":{\"mean\":[0,0,0],\"std\":[0,1,1]}", ",\"normalization\":{\"mean\":[0],\"std\":[1,1,1]}",
            ",\"vocabulary\":[\"a\",\"a\"]", ",\"vocabulary\":[1,2]", ",\"embedding\":true", ",\"feature_names\":[\"a\"]",
            ",\"normalization\":[]", ",\"target_normalization\":{\"mean\":[0,0,0],\"std\":[-1,1,1]}", ",\"training\":{\"x\":[1,2]}"};

    @Test
    void nonFiniteWeightsAreRejected() {
        forEachTry("nonFiniteWeightsAreRejected", SEED + 11, 500, r -> {
            byte[] valid = artifact(r);
            int index = intBetween(r, 0, Integer.MAX_VALUE);
            float value = pick(r, NON_FINITE);
            int dataStart = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            int floats = (valid.length - dataStart) / 4;
            byte[] b = valid.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(dataStart + 4 * (index % floats), value);
            assertRejected(b);
        });
    }

    private static final Float[] NON_FINITE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xff800001)};

    // ---- helpers ---------------------------------------------------------------------------------

    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I8", "U8", ""};

    private static byte[] artifact(java.util.Random r) {
        return r.nextBoolean() ? LSTM : GRU_LOGS;
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

package dev.seqpredict.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.testing.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModelArtifactTest {

    private final RecurrentModel lstm = TestModels.regression(1, CellType.LSTM, 3, 8, 2, "sensors", "7");

    @Test
    void roundTripKeepsSpecWeightsAndOutputs() throws Exception {
        byte[] bytes = ModelArtifact.toBytes(lstm);
        RecurrentModel back = ModelArtifact.load(bytes);

        assertThat(back.spec().toJson()).isEqualTo(lstm.spec().toJson());
        assertThat(back.tensors()).containsExactlyElementsOf(lstm.tensors());
        assertThat(back.sha256()).isEqualTo(ModelArtifact.sha256Hex(bytes)).hasSize(64);
        float[][] seq = {{1, 12, 23}, {2, 9, 20}, {0, 11, 25}};
        assertThat(back.forward(seq)).isDeepEqualTo(lstm.forward(seq));
    }

    @Test
    void tensorNamesFollowPyTorchStateDict() {
        assertThat(lstm.tensors()).extracting(Tensor::name).containsExactly(
                "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
                "head.weight", "head.bias");
        assertThat(lstm.tensors().get(0).shape()).containsExactly(4 * 8, 3);
        assertThat(lstm.tensors().get(4).shape()).containsExactly(4 * 8, 8);
    }

    @Test
    void differentWeightsGiveDifferentChecksums() {
        RecurrentModel other = TestModels.regression(2, CellType.LSTM, 3, 8, 2, "sensors", "7");
        assertThat(other.sha256()).isNotEqualTo(lstm.sha256());
    }

    @Test
    void readsHalfAndBfloat16Tensors() throws Exception {
        // 1.5 and -2.0 in binary16 (0x3E00, 0xC000) and bfloat16 (0x3FC0, 0xC000)
        byte[] f16 = file(Map.of(), "x", "F16", new int[] {2}, new byte[] {0x00, 0x3E, 0x00, (byte) 0xC0});
        byte[] bf16 = file(Map.of(), "x", "BF16", new int[] {2}, new byte[] {(byte) 0xC0, 0x3F, 0x00, (byte) 0xC0});
        assertThat(SafeTensors.read(f16).tensors().get("x").data()).containsExactly(1.5f, -2.0f);
        assertThat(SafeTensors.read(bf16).tensors().get("x").data()).containsExactly(1.5f, -2.0f);
    }

    // ---- every loader failure names its cause ----------------------------------------------

    @Test
    void rejectsEmptyAndTruncatedFiles() {
        byte[] good = ModelArtifact.toBytes(lstm);
        assertRejected(new byte[0], "empty");
        assertRejected(new byte[] {1, 2, 3}, "truncated file");
        assertRejected(java.util.Arrays.copyOf(good, good.length - 4), "truncated");
    }

    @Test
    void rejectsHeaderLargerThanFile() {
        byte[] bytes = ModelArtifact.toBytes(lstm);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length * 2L);
        assertRejected(bytes, "header declares");
    }

    @Test
    void rejectsHugeHeaderLength() {
        byte[] bytes = ModelArtifact.toBytes(lstm);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        assertRejected(bytes, "bad header length");
    }

    @Test
    void rejectsHeaderThatIsNotJson() {
        assertRejected(raw("{not json"), "not valid JSON");
        assertRejected(raw("[1,2]"), "must be a JSON object");
    }

    @Test
    void rejectsHugeDeclaredTensorSizesWithoutAllocating() {
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2000000000,2000000000],\"data_offsets\":[0,16]}}";
        byte[] bytes = withData(header, new byte[16]);
        assertRejected(bytes, "declares more values than");
    }

    @Test
    void rejectsOffsetsOutsideTheFileAndOverlaps() {
        assertRejected(withData("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]),
                "fall outside the 8-byte data section");
        assertRejected(withData("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]), "overlaps");
        assertRejected(withData("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]),
                "trailing bytes");
    }

    @Test
    void rejectsDuplicatedTensorNames() {
        assertRejected(withData("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "Duplicate field 'x'");
    }

    @Test
    void rejectsUnsupportedDtype() {
        assertRejected(withData("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]),
                "unsupported dtype I64");
    }

    @Test
    void rejectsFileWithoutSpec() {
        byte[] bytes = SafeTensors.write(lstm.tensors(), Map.of());
        assertRejected(bytes, "no 'seqpredict' entry");
    }

    @Test
    void rejectsUnknownCell() {
        String spec = lstm.spec().toJson().replace("\"lstm\"", "\"transformer\"");
        assertRejected(SafeTensors.write(lstm.tensors(), Map.of("seqpredict", spec)), "unknown cell 'transformer'");
    }

    @Test
    void rejectsMissingTensor() {
        List<Tensor> ts = new ArrayList<>(lstm.tensors());
        ts.removeIf(t -> t.name().equals("rnn.bias_hh_l1"));
        assertRejected(SafeTensors.write(ts, Map.of("seqpredict", lstm.spec().toJson())), "missing tensor 'rnn.bias_hh_l1'");
    }

    @Test
    void rejectsExtraTensor() {
        List<Tensor> ts = new ArrayList<>(lstm.tensors());
        ts.add(new Tensor("rnn.weight_ih_l2", new int[] {1}, new float[] {0}));
        assertRejected(SafeTensors.write(ts, Map.of("seqpredict", lstm.spec().toJson())), "unexpected tensors [rnn.weight_ih_l2]");
    }

    @Test
    void rejectsWrongShape() {
        List<Tensor> ts = new ArrayList<>(lstm.tensors());
        Tensor head = ts.remove(ts.size() - 2);
        ts.add(ts.size() - 1, new Tensor("head.weight", new int[] {8, 3}, head.data()));
        assertRejected(SafeTensors.write(ts, Map.of("seqpredict", lstm.spec().toJson())),
                "tensor 'head.weight' has shape [8, 3], expected [3, 8]");
    }

    @Test
    void rejectsNonFiniteWeights() {
        List<Tensor> ts = new ArrayList<>(lstm.tensors());
        Tensor w = ts.get(1);
        float[] d = w.data().clone();
        d[5] = Float.NaN;
        ts.set(1, new Tensor(w.name(), w.shape(), d));
        assertRejected(SafeTensors.write(ts, Map.of("seqpredict", lstm.spec().toJson())),
                "tensor 'rnn.weight_hh_l0' has a non-finite value (NaN) at index 5");
    }

    @Test
    void rejectsSpecThatContradictsItself() {
        String spec = lstm.spec().toJson().replace("\"num_layers\":2", "\"num_layers\":0");
        assertRejected(SafeTensors.write(lstm.tensors(), Map.of("seqpredict", spec)), "num_layers must be in 1..16");
        String noHidden = lstm.spec().toJson().replace("\"hidden_size\":8,", "");
        assertRejected(SafeTensors.write(lstm.tensors(), Map.of("seqpredict", noHidden)), "'hidden_size' is missing");
    }

    @Test
    void rejectsModelsAboveTheSizeLimit() {
        byte[] bytes = ModelArtifact.toBytes(lstm);
        assertThatThrownBy(() -> ModelArtifact.load(bytes, 100)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("above the limit of 100");
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() {
        byte[] good = ModelArtifact.toBytes(lstm);
        Random r = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] bad = good.clone();
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int pos = r.nextInt(Math.min(bad.length, 8 + 600));  // mostly the header
                bad[pos] = (byte) r.nextInt(256);
            }
            try {
                ModelArtifact.load(bad);
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    private static void assertRejected(byte[] bytes, String messagePart) {
        assertThatThrownBy(() -> ModelArtifact.load(bytes)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(messagePart);
    }

    private static byte[] raw(String header) {
        return withData(header, new byte[0]);
    }

    private static byte[] withData(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    private static byte[] file(Map<String, String> meta, String name, String dtype, int[] shape, byte[] data) {
        String h = "{\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + java.util.Arrays.toString(shape)
                + ",\"data_offsets\":[0," + data.length + "]}}";
        return withData(h, data);
    }
}

package dev.seqpredict.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors file format: an 8-byte little-endian header length N, N bytes of JSON header
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}}),
 * then the raw little-endian tensor bytes. Reads F32, F16 and BF16 (into float32); writes F32.
 *
 * <p>Reading trusts nothing in the file: every declared size is checked against the bytes actually
 * present before anything is allocated, and each failure says what is wrong.
 */
public final class SafeTensors {

    /** safetensors' own limit on the header. */
    public static final int MAX_HEADER_BYTES = 100_000_000;
    private static final int MAX_TENSORS = 4096;
    private static final int MAX_RANK = 8;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(MAX_HEADER_BYTES).build());
    }

    private SafeTensors() {
    }

    /** What a file holds: tensors in file order, and the string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    public static Contents read(byte[] file) throws ModelFormatException {
        if (file.length < 8) {
            throw new ModelFormatException("truncated file: " + file.length + " bytes, a safetensors file starts with an 8-byte header length");
        }
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong(0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw new ModelFormatException("bad header length " + Long.toUnsignedString(headerLen)
                    + " (must be 2.." + MAX_HEADER_BYTES + ")");
        }
        if (headerLen > file.length - 8L) {
            throw new ModelFormatException("header declares " + headerLen + " bytes but the file has only "
                    + (file.length - 8L) + " after the length: truncated file or corrupt header");
        }
        String headerText = new String(file, 8, (int) headerLen, StandardCharsets.UTF_8);
        JsonNode header;
        try {
            header = JSON.readTree(headerText);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException("header is not valid JSON: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            throw new ModelFormatException("header is not valid JSON: " + e.getMessage());
        }
        if (header == null || !header.isObject()) {
            throw new ModelFormatException("header must be a JSON object");
        }
        int dataStart = 8 + (int) headerLen;
        long dataLen = file.length - (long) dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("__metadata__")) {
                readMetadata(f.getValue(), metadata);
                continue;
            }
            if (entries.size() >= MAX_TENSORS) {
                throw new ModelFormatException("more than " + MAX_TENSORS + " tensors");
            }
            entries.add(entry(f.getKey(), f.getValue(), dataLen));
        }
        // Tensors must tile the data buffer exactly, without overlap or gaps (safetensors' rule).
        entries.sort((a, b) -> Long.compare(a.begin, b.begin));
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin != expected) {
                throw new ModelFormatException("tensor '" + e.name + "' starts at byte " + e.begin + " but "
                        + (e.begin < expected ? "overlaps the previous tensor" : "leaves a gap after byte " + expected));
            }
            expected = e.end;
        }
        if (expected != dataLen) {
            throw new ModelFormatException("tensors cover " + expected + " bytes but the data section has "
                    + dataLen + (expected < dataLen ? " (trailing bytes)" : " (truncated file)"));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name, new Tensor(e.name, e.shape, decode(buf, dataStart + (int) e.begin, e)));
        }
        return new Contents(tensors, metadata);
    }

    private record Entry(String name, String dtype, int[] shape, long begin, long end, int count) {
    }

    private static void readMetadata(JsonNode meta, Map<String, String> out) throws ModelFormatException {
        if (!meta.isObject()) {
            throw new ModelFormatException("__metadata__ must be an object of strings");
        }
        Iterator<Map.Entry<String, JsonNode>> it = meta.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw new ModelFormatException("__metadata__ value '" + m.getKey() + "' must be a string");
            }
            out.put(m.getKey(), m.getValue().asText());
        }
    }

    private static Entry entry(String name, JsonNode node, long dataLen) throws ModelFormatException {
        if (!node.isObject()) {
            throw new ModelFormatException("tensor '" + name + "': entry must be an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new ModelFormatException("tensor '" + name + "': missing dtype");
        }
        String dtype = dtypeNode.asText();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new ModelFormatException("tensor '" + name + "': unsupported dtype " + dtype
                    + " (F32, F16 and BF16 are read)");
        };
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() > MAX_RANK) {
            throw new ModelFormatException("tensor '" + name + "': shape must be an array of at most " + MAX_RANK + " sizes");
        }
        int[] shape = new int[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0 || d.longValue() > Integer.MAX_VALUE) {
                throw new ModelFormatException("tensor '" + name + "': bad dimension " + d);
            }
            shape[i] = (int) d.longValue();
            count *= shape[i];
            if (count > dataLen) { // checked as we go, so a product can never overflow
                throw new ModelFormatException("tensor '" + name + "': shape " + shapeNode
                        + " declares more values than the file's " + dataLen + " data bytes hold");
            }
        }
        JsonNode off = node.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()
                || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
            throw new ModelFormatException("tensor '" + name + "': data_offsets must be [begin, end]");
        }
        long begin = off.get(0).longValue();
        long end = off.get(1).longValue();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new ModelFormatException("tensor '" + name + "': data_offsets [" + begin + ", " + end
                    + "] fall outside the " + dataLen + "-byte data section (truncated file?)");
        }
        if (end - begin != count * width) {
            throw new ModelFormatException("tensor '" + name + "': shape " + shapeNode + " of " + dtype + " needs "
                    + count * width + " bytes but data_offsets span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end, (int) count);
    }

    private static float[] decode(ByteBuffer buf, int pos, Entry e) {
        float[] out = new float[e.count];
        switch (e.dtype) {
            case "F32" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = buf.getFloat(pos + 4 * i);
                }
            }
            case "BF16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((buf.getShort(pos + 2 * i) & 0xffff) << 16);
                }
            }
            default -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(buf.getShort(pos + 2 * i));
                }
            }
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrives only in Java 20). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Writes tensors as F32, in the given order, with string metadata. */
    public static byte[] write(List<Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", "F32");
            var shape = e.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            var offs = e.putArray("data_offsets");
            offs.add(offset);
            offset += 4L * t.data().length;
            offs.add(offset);
        }
        byte[] headerBytes;
        try {
            headerBytes = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Pad the header with spaces to 8 bytes so the data is aligned, as the reference writer does.
        int padded = (headerBytes.length + 7) & ~7;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(headerBytes);
        for (int i = headerBytes.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Tensor t : tensors) {
            for (float v : t.data()) {
                out.putFloat(v);
            }
        }
        return out.array();
    }
}

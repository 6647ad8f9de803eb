package org.cover4j.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping each tensor
 * name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional {@code "__metadata__"} object
 * of strings), then the raw little-endian tensor bytes. No code runs on load, and Python reads it with
 * {@code safetensors.torch.load_file}.
 *
 * <p>Writing stores float32 ("F32") tensors in the given order, with the header padded by spaces to a multiple of
 * 8 bytes, atomically. Reading validates everything before allocating — header length within the file and at most
 * 100 MB, well-formed JSON without duplicate keys, known dtypes, non-negative shapes whose byte size equals the
 * offset range, and offsets that tile the data area exactly (as the Rust library requires) — and converts F32, F16,
 * BF16, F64 and the integer/bool dtypes to float32.
 */
public final class SafeTensors {
    /** The reference implementation's header size limit. */
    static final long MAX_HEADER = 100_000_000L;
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * One tensor: C-order shape, values as float32 (null from {@link #readHeader}), and the dtype it was stored with
     * (e.g. "F32", "BF16"). Arrays are shared, not copied; the record's equals compares them by identity.
     */
    public record Tensor(long[] shape, float[] data, String dtype) {}

    /** A file's tensors in header order and its {@code __metadata__} (empty when absent). */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
        /** Values by name, in header order (the form {@code Params.load} takes). */
        public LinkedHashMap<String, float[]> values() {
            LinkedHashMap<String, float[]> v = new LinkedHashMap<>();
            tensors.forEach((k, t) -> v.put(k, t.data()));
            return v;
        }

        /** Shapes by name, in header order. */
        public LinkedHashMap<String, long[]> shapes() {
            LinkedHashMap<String, long[]> v = new LinkedHashMap<>();
            tensors.forEach((k, t) -> v.put(k, t.shape()));
            return v;
        }
    }

    private SafeTensors() {}

    /**
     * Writes float32 tensors. {@code shapes} must hold a shape for every name whose element count equals the
     * array's length; {@code metadata} may be null.
     */
    public static void write(Path file, LinkedHashMap<String, float[]> data, Map<String, long[]> shapes,
                             Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, float[]> e : data.entrySet()) {
            String name = e.getKey();
            if (name.equals(METADATA)) throw new IllegalArgumentException("a tensor may not be named " + METADATA);
            long[] shape = shapes.get(name);
            if (shape == null) throw new IllegalArgumentException("no shape given for tensor " + name);
            long n = 1;
            for (long d : shape) {
                if (d < 0) throw new IllegalArgumentException("negative dimension for tensor " + name);
                n *= d;
            }
            if (n != e.getValue().length) {
                throw new IllegalArgumentException("tensor " + name + " has " + e.getValue().length
                        + " values but shape " + Arrays.toString(shape));
            }
            ObjectNode t = header.putObject(name);
            t.put("dtype", "F32");
            ArrayNode s = t.putArray("shape");
            for (long d : shape) s.add(d);
            t.putArray("data_offsets").add(offset).add(offset + 4 * n);
            offset += 4 * n;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = new byte[8 + padded];
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        System.arraycopy(json, 0, head, 8, json.length);
        Arrays.fill(head, 8 + json.length, head.length, (byte) ' ');
        AtomicFiles.write(file, out -> {
            out.write(head);
            ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] values : data.values()) {
                for (float v : values) {
                    bb.putFloat(v);
                    if (!bb.hasRemaining()) {
                        out.write(bb.array(), 0, bb.position());
                        bb.clear();
                    }
                }
            }
            out.write(bb.array(), 0, bb.position());
        });
    }

    /** Reads and validates a whole file. */
    public static Contents read(Path file) {
        return read(file, true);
    }

    /**
     * Reads and validates the header only (names, dtypes, shapes, metadata); each {@link Tensor#data()} is null.
     * For listing a checkpoint's contents without loading it.
     */
    public static Contents readHeader(Path file) {
        return read(file, false);
    }

    private static Contents read(Path file, boolean withData) {
        ImageFiles.requireRegularFile(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw CoverException.file(file, "not a safetensors file: " + size + " bytes, too short for a header");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readAt(ch, lenBuf, 0, file);
            long n = lenBuf.getLong(0);
            if (n <= 0 || n > MAX_HEADER || n > size - 8) {
                throw CoverException.file(file, "not a safetensors file: header length " + Long.toUnsignedString(n)
                        + " is impossible for a file of " + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readAt(ch, hb, 8, file);
            JsonNode root;
            try {
                root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw CoverException.file(file, "safetensors header is not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (root == null || !root.isObject()) throw CoverException.file(file, "safetensors header is not a JSON object");
            long dataStart = 8 + n;
            List<Entry> entries = entries(root, size - dataStart, file);
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                tensors.put(e.name, new Tensor(e.shape, withData ? readTensor(ch, dataStart, e, file) : null, e.dtype));
            }
            return new Contents(tensors, metadata(root, file));
        } catch (IOException e) {
            throw ImageFiles.cannotRead(file, e);
        }
    }

    private record Entry(String name, String dtype, SampleType type, long[] shape, long begin, long end) {}

    private static List<Entry> entries(JsonNode root, long dataBytes, Path file) {
        List<Entry> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            if (name.equals(METADATA)) continue;
            JsonNode t = f.getValue();
            String where = "tensor '" + name + "'";
            if (!t.isObject()) throw CoverException.file(file, where + ": header entry is not an object");
            JsonNode dt = t.get("dtype");
            if (dt == null || !dt.isTextual()) throw CoverException.file(file, where + ": missing dtype");
            SampleType type = dtype(dt.asText(), where, file);
            long[] shape = longs(t.get("shape"), -1, where + ": shape", file);
            long[] off = longs(t.get("data_offsets"), 2, where + ": data_offsets", file);
            long count = 1;
            for (long d : shape) {
                if (d != 0 && count > ImageFiles.MAX_VALUES / d) {
                    throw CoverException.file(file, where + ": shape " + Arrays.toString(shape) + " too large");
                }
                count *= d;
            }
            if (off[0] > off[1] || off[1] > dataBytes) {
                throw CoverException.file(file, where + ": data_offsets " + Arrays.toString(off)
                        + " outside the data area of " + dataBytes + " bytes");
            }
            if (off[1] - off[0] != count * type.bytes()) {
                throw CoverException.file(file, where + ": shape " + Arrays.toString(shape) + " of " + dt.asText() + " needs "
                        + count * type.bytes() + " bytes but data_offsets span " + (off[1] - off[0]));
            }
            entries.add(new Entry(name, dt.asText(), type, shape, off[0], off[1]));
        }
        // The tensors must tile the data area: no gaps, no overlaps, nothing after the last one.
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
        long expect = 0;
        for (Entry e : sorted) {
            if (e.begin != expect) {
                throw CoverException.file(file, "tensor '" + e.name + "' starts at byte " + e.begin + " of the data area, expected "
                        + expect + " (tensors overlap or leave a gap)");
            }
            expect = e.end;
        }
        if (expect != dataBytes) {
            throw CoverException.file(file, "tensors cover " + expect + " bytes but the data area has " + dataBytes
                    + " (truncated or trailing bytes)");
        }
        return entries;
    }

    private static SampleType dtype(String s, String where, Path file) {
        return switch (s) {
            case "F32" -> SampleType.FLOAT32;
            case "F16" -> SampleType.FLOAT16;
            case "BF16" -> SampleType.BFLOAT16;
            case "F64" -> SampleType.FLOAT64;
            case "I8" -> SampleType.INT8;
            case "U8" -> SampleType.UINT8;
            case "I16" -> SampleType.INT16;
            case "U16" -> SampleType.UINT16;
            case "I32" -> SampleType.INT32;
            case "U32" -> SampleType.UINT32;
            case "I64" -> SampleType.INT64;
            case "U64" -> SampleType.UINT64;
            case "BOOL" -> SampleType.BOOL;
            default -> throw CoverException.file(file, where + ": unsupported dtype '" + MetaImageHeader.shorten(s) + "'");
        };
    }

    private static long[] longs(JsonNode node, int expectedLength, String where, Path file) {
        if (node == null || !node.isArray() || (expectedLength >= 0 && node.size() != expectedLength)) {
            throw CoverException.file(file, where + " must be an array" + (expectedLength >= 0 ? " of " + expectedLength : "")
                    + " of non-negative integers");
        }
        if (node.size() > 64) throw CoverException.file(file, where + " has " + node.size() + " entries");
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 0) {
                throw CoverException.file(file, where + " must hold non-negative integers, found " + v);
            }
            out[i] = v.asLong();
        }
        return out;
    }

    private static Map<String, String> metadata(JsonNode root, Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode meta = root.get(METADATA);
        if (meta == null || meta.isNull()) return out;
        if (!meta.isObject()) throw CoverException.file(file, "safetensors __metadata__ is not an object");
        Iterator<Map.Entry<String, JsonNode>> it = meta.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw CoverException.file(file, "safetensors __metadata__ value for '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static float[] readTensor(FileChannel ch, long dataStart, Entry e, Path file) throws IOException {
        int count = (int) ((e.end - e.begin) / e.type.bytes());
        float[] out = ImageFiles.allocate(count, file);
        int perChunk = (1 << 20) / e.type.bytes();
        ByteBuffer bb = ByteBuffer.allocate(Math.min(count, perChunk) * e.type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        long pos = dataStart + e.begin;
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            bb.clear().limit(n * e.type.bytes());
            readAt(ch, bb, pos, file);
            bb.flip();
            e.type.decode(bb, out, done, n);
            done += n;
            pos += (long) n * e.type.bytes();
        }
        return out;
    }

    private static void readAt(FileChannel ch, ByteBuffer dst, long pos, Path file) throws IOException {
        while (dst.hasRemaining()) {
            int got = ch.read(dst, pos);
            if (got < 0) throw CoverException.file(file, "truncated safetensors file");
            pos += got;
        }
    }
}

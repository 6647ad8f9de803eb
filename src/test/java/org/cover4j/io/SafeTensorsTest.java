package org.cover4j.io;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsOrderShapesValuesAndMetadata() throws IOException {
        LinkedHashMap<String, float[]> data = new LinkedHashMap<>();
        data.put("enc.0.weight", new float[]{1, -2, 3.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f});
        data.put("enc.0.bias", new float[]{0.25f, 7});
        data.put("scalar", new float[]{42});
        data.put("empty", new float[0]);
        Map<String, long[]> shapes = Map.of("enc.0.weight", new long[]{2, 3}, "enc.0.bias", new long[]{2},
                "scalar", new long[]{}, "empty", new long[]{0, 4});
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, data, shapes, Map.of("step", "12", "format", "pt"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 4 * (6 + 2 + 1), bytes.length);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("enc.0.weight", "enc.0.bias", "scalar", "empty"), List.copyOf(c.tensors().keySet()));
        for (String k : data.keySet()) {
            assertArrayEquals(data.get(k), c.tensors().get(k).data(), k);
            assertArrayEquals(shapes.get(k), c.tensors().get(k).shape(), k);
            assertEquals("F32", c.tensors().get(k).dtype());
        }
        assertEquals(Map.of("step", "12", "format", "pt"), c.metadata());
        assertNull(SafeTensors.readHeader(f).tensors().get("scalar").data());
    }

    /** A file assembled by hand: 8-byte length, JSON, data. */
    private Path handMade(String name, String json, byte[] data) throws IOException {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + j.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(j.length).put(j).put(data);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    @Test
    void handMadeFileWithEveryFloatDtype() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        // F16: 0x3C00 = 1.0, 0xC000 = -2.0, 0x0001 = 2^-24 (smallest subnormal), 0x7C00 = +inf.
        d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001).putShort((short) 0x7C00);
        // BF16: 0x3F80 = 1.0, 0x4049 = 3.140625.
        d.putShort((short) 0x3F80).putShort((short) 0x4049);
        d.putDouble(0.1);          // F64, converted to float
        d.putLong(-5);             // I64
        d.putShort((short) 0);     // 2 bytes of U8 (shape [2])
        d.put(d.position() - 2, (byte) 200).put(d.position() - 1, (byte) 7);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"f\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[12,20]},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[20,28]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[28,30]}}";
        byte[] data = new byte[30];
        System.arraycopy(d.array(), 0, data, 0, 30);
        SafeTensors.Contents c = SafeTensors.read(handMade("hand.safetensors", json, data));
        assertArrayEquals(new float[]{1, -2, 0x1p-24f, Float.POSITIVE_INFINITY}, c.tensors().get("h").data());
        assertArrayEquals(new long[]{2, 2}, c.tensors().get("h").shape());
        assertArrayEquals(new float[]{1, 3.140625f}, c.tensors().get("b").data());
        assertArrayEquals(new float[]{0.1f}, c.tensors().get("f").data());
        assertArrayEquals(new float[]{-5}, c.tensors().get("i").data());
        assertArrayEquals(new float[]{200, 7}, c.tensors().get("u").data());
        assertEquals("BF16", c.tensors().get("b").dtype());
        assertEquals(Map.of("format", "pt"), c.metadata());
    }

    @Test
    void everyInconsistencyIsRefusedWithTheFileName() throws IOException {
        String ok = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        byte[] eight = new byte[8];
        Object[][] cases = {
                {"notjson", "{\"a\":", eight},
                {"array", "[1,2]", eight},
                {"dup", "{" + ok + "," + ok + "}", eight},
                {"beyond", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight},
                {"mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight},
                {"gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight},
                {"overlap", "{" + ok + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight},
                {"trailing", "{" + ok + "}", new byte[12]},
                {"dtype", "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", eight},
                {"negshape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight},
                {"fracshape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", eight},
                {"reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", eight},
                {"meta", "{\"__metadata__\":{\"n\":3}," + ok + "}", eight},
                {"noshape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", eight},
                {"hugeshape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", eight}};
        for (Object[] c : cases) {
            Path f = handMade(c[0] + ".safetensors", (String) c[1], (byte[]) c[2]);
            CoverException e = assertThrows(CoverException.class, () -> SafeTensors.read(f), (String) c[0]);
            assertTrue(e.getMessage().contains(c[0] + ".safetensors"), e.getMessage());
        }
        // Header lengths that do not fit the file, including one that would allocate 8 EiB.
        for (long len : new long[]{0, 100, Long.MAX_VALUE, -8}) {
            Path f = dir.resolve("len" + len + ".safetensors");
            Files.write(f, ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(len).array());
            CoverException e = assertThrows(CoverException.class, () -> SafeTensors.read(f));
            assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
        }
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        assertThrows(CoverException.class, () -> SafeTensors.read(tiny));
    }
}

package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Reader and writer of numpy {@code .npz} archives (a zip of {@code .npy} files), as written by
 * {@code np.savez}. Used for the reference fixtures and for importing reference state dicts.
 * Supports little- and big-endian float16/32/64, signed/unsigned integers and booleans in C order.
 */
public final class Npz {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Refuse single arrays above this many elements: a hostile header must not allocate gigabytes. */
    private static final long MAX_ELEMENTS = 1L << 28;

    private Npz() {}

    /** Reads every array of an archive, keyed by name without the {@code .npy} suffix, in archive order. */
    public static Map<String, NpyArray> read(Path file) {
        Map<String, NpyArray> out = new LinkedHashMap<>();
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                String name = e.getName();
                if (!name.endsWith(".npy")) continue;
                byte[] bytes = readAll(zin, file);
                out.put(name.substring(0, name.length() - 4), parseNpy(bytes, file + ":" + name));
            }
        } catch (IOException ex) {
            throw CoverException.file(file, "not a readable .npz archive (" + ex.getMessage() + ")");
        }
        if (out.isEmpty()) throw CoverException.file(file, "no .npy arrays found (is it an .npz file?)");
        return out;
    }

    private static byte[] readAll(InputStream in, Path file) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > MAX_ELEMENTS * 8) throw new IOException("entry larger than " + (MAX_ELEMENTS * 8) + " bytes");
            bo.write(buf, 0, n);
        }
        return bo.toByteArray();
    }

    static NpyArray parseNpy(byte[] b, String where) {
        if (b.length < 10 || (b[0] & 0xff) != 0x93 || b[1] != 'N' || b[2] != 'U' || b[3] != 'M') {
            throw new CoverException(where + ": not a .npy array (bad magic)");
        }
        int major = b[6];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            start = 10;
        } else {
            headerLen = bb.getInt(8);
            start = 12;
        }
        if (headerLen < 0 || start + (long) headerLen > b.length) throw new CoverException(where + ": truncated .npy header");
        String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new CoverException(where + ": unsupported .npy header " + header.trim());
        if (f.group(1).equals("True")) throw new CoverException(where + ": Fortran-order arrays are not supported");
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        char kind = d.group(2).charAt(0);
        int width = Integer.parseInt(d.group(3));
        String[] parts = s.group(1).split(",");
        long count = 1;
        long[] shape = new long[(int) java.util.Arrays.stream(parts).filter(p -> !p.isBlank()).count()];
        int k = 0;
        for (String p : parts) {
            if (p.isBlank()) continue;
            shape[k] = Long.parseLong(p.trim());
            if (shape[k] < 0) throw new CoverException(where + ": negative dimension in .npy header");
            count *= shape[k++];
            if (count > MAX_ELEMENTS) throw new CoverException(where + ": array too large (" + count + " elements)");
        }
        int dataStart = start + headerLen;
        if (dataStart + count * width > b.length) throw new CoverException(where + ": truncated .npy data");
        ByteBuffer data = ByteBuffer.wrap(b, dataStart, (int) (count * width)).slice().order(order);
        double[] v = new double[(int) count];
        for (int i = 0; i < count; i++) {
            v[i] = switch (kind + "" + width) {
                case "f4" -> data.getFloat(i * 4);
                case "f8" -> data.getDouble(i * 8);
                case "i1" -> data.get(i);
                case "u1", "b1" -> data.get(i) & 0xff;
                case "i2" -> data.getShort(i * 2);
                case "u2" -> data.getShort(i * 2) & 0xffff;
                case "i4" -> data.getInt(i * 4);
                case "u4" -> data.getInt(i * 4) & 0xffffffffL;
                case "i8", "u8" -> data.getLong(i * 8);
                default -> throw new CoverException(where + ": unsupported dtype " + kind + width);
            };
        }
        return new NpyArray(kind + "" + width, shape, v);
    }

    /** Writes float32 arrays as an uncompressed {@code .npz} that {@code numpy.load} reads. */
    public static void writeFloat32(Path file, Map<String, float[]> arrays, Map<String, long[]> shapes) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zo = new ZipOutputStream(os)) {
            for (Map.Entry<String, float[]> e : arrays.entrySet()) {
                zo.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                long[] shape = shapes.get(e.getKey());
                StringBuilder sh = new StringBuilder("(");
                for (long d : shape) sh.append(d).append(", ");
                if (shape.length > 1) sh.setLength(sh.length() - 2);
                else if (shape.length == 1) sh.setLength(sh.length() - 1);
                sh.append(")");
                String h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + sh + ", }";
                int total = 10 + h.length() + 1;
                int pad = (64 - total % 64) % 64;
                h = h + " ".repeat(pad) + "\n";
                ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
                head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                        .putShort((short) h.length());
                zo.write(head.array());
                zo.write(h.getBytes(StandardCharsets.US_ASCII));
                ByteBuffer body = ByteBuffer.allocate(e.getValue().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : e.getValue()) body.putFloat(x);
                zo.write(body.array());
                zo.closeEntry();
            }
        }
    }
}

package org.cover4j.io;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded, seeded fuzzing: thousands of random mutations of small valid NIfTI and MetaImage files. Reading may
 * succeed or fail, but nothing except {@link CoverException} may escape (no IndexOutOfBounds, no
 * NegativeArraySize, no OutOfMemoryError).
 */
class FuzzTest {
    private static final int NIFTI_CASES = 3000;
    private static final int META_CASES = 800;
    private static final int[] DATATYPES = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2304, -1, 32767};
    /** Header byte offsets of NIfTI-1 fields worth hitting: sizeof_hdr, dims, datatype, bitpix, pixdim, vox_offset, scl, codes, quatern, srow, magic. */
    private static final int[] FIELDS = {0, 40, 42, 44, 46, 48, 70, 72, 76, 80, 84, 88, 108, 112, 116, 252, 254, 256, 260, 264, 280, 296, 312, 344};

    @TempDir
    Path dir;

    private int successes;
    private int refusals;

    /** Returns whether the file was read. */
    private boolean readExpectingOnlyCoverException(Path f, byte[] bytes, String what) throws IOException {
        Files.write(f, bytes);
        try {
            MedicalImages.read(f);
            successes++;
            return true;
        } catch (CoverException e) {
            refusals++;
            return false;
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t.getClass().getName() + " escaped (" + t.getMessage() + ")", t);
        }
    }

    @Test
    void mutatedNiftiFilesOnlyEverRaiseCoverException() throws IOException {
        Rng rng = new Rng(20250101L);
        NiftiBytes base = new NiftiBytes();
        base.dim = new long[]{4, 3, 4, 2, 2, 1, 1, 1};
        base.datatype = 4;
        base.bitpix = 16;
        double[] v = new double[48];
        for (int i = 0; i < v.length; i++) v[i] = i - 20;
        base.values(SampleType.INT16, v);
        base.qformCode = 1;
        base.quatern = new double[]{0.1, 0.2, 0.3, 1, 2, 3};
        base.sformCode = 1;
        byte[] valid = base.toBytes();
        Path plain = dir.resolve("fuzz.nii");
        Path gz = dir.resolve("fuzz.nii.gz");
        for (int n = 0; n < NIFTI_CASES; n++) {
            byte[] b = valid.clone();
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            StringBuilder what = new StringBuilder("case " + n + ":");
            int mutations = 1 + rng.randint(0, 4);
            for (int m = 0; m < mutations; m++) {
                switch (rng.randint(0, 5)) {
                    case 0 -> { // random bytes anywhere in the header
                        int at = rng.randint(0, 352);
                        b[at] = (byte) rng.randint(0, 256);
                        what.append(" byte@").append(at);
                    }
                    case 1 -> { // a dimension set to an interesting value
                        int at = 40 + 2 * rng.randint(0, 8);
                        short[] vals = {0, -1, 1, 2, 7, 8, 255, 1000, 32767, -32768};
                        bb.putShort(at, vals[rng.randint(0, vals.length)]);
                        what.append(" dim@").append(at);
                    }
                    case 2 -> { // datatype and/or bitpix
                        bb.putShort(70, (short) DATATYPES[rng.randint(0, DATATYPES.length)]);
                        if (rng.nextDouble() < 0.5) bb.putShort(72, (short) (8 * rng.randint(-1, 17)));
                        what.append(" datatype");
                    }
                    case 3 -> { // a float field set to an extreme
                        int at = FIELDS[rng.randint(0, FIELDS.length)] & ~1;
                        float[] vals = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -1f, 1e30f, -1e-30f, 352f, 1e9f};
                        if (at + 4 <= 348) bb.putFloat(at, vals[rng.randint(0, vals.length)]);
                        what.append(" float@").append(at);
                    }
                    default -> { // flip the byte order of sizeof_hdr, so the rest is read big-endian
                        bb.putInt(0, Integer.reverseBytes(348));
                        what.append(" bigendian");
                    }
                }
            }
            // Structural damage last, so the field mutations above always land inside the header.
            double r = rng.nextDouble();
            if (r < 0.15) {
                int len = rng.randint(0, b.length);
                b = Arrays.copyOf(b, len);
                what.append(" truncate@").append(len);
            } else if (r < 0.25) {
                byte[] longer = Arrays.copyOf(b, b.length + rng.randint(1, 200));
                for (int i = b.length; i < longer.length; i++) longer[i] = (byte) rng.randint(0, 256);
                b = longer;
                what.append(" append");
            }
            if (rng.nextDouble() < 0.25) {
                byte[] z = NiftiBytes.gzip(b);
                boolean corrupted = rng.nextDouble() < 0.3 && z.length > 20;
                if (corrupted) z[rng.randint(10, z.length)] ^= (byte) (1 + rng.randint(0, 255));
                // Past the gzip header every byte is covered by the CRC-32 and length in the trailer.
                boolean read = readExpectingOnlyCoverException(gz, z, what + " gz");
                assertTrue(!(corrupted && read), what + " gz: a corrupted compressed stream was read");
            } else {
                readExpectingOnlyCoverException(plain, b, what.toString());
            }
        }
        assertTrue(successes > 0 && refusals > NIFTI_CASES / 4, "successes " + successes + ", refusals " + refusals);
    }

    @Test
    void mutatedMetaImageHeadersOnlyEverRaiseCoverException() throws IOException {
        Rng rng = new Rng(777);
        String[] lines = {"ObjectType = Image", "NDims = 3", "BinaryData = True", "BinaryDataByteOrderMSB = False",
                "CompressedData = False", "TransformMatrix = 1 0 0 0 1 0 0 0 1", "Offset = 0 0 0", "ElementSpacing = 1 1 2",
                "DimSize = 4 3 2", "ElementNumberOfChannels = 1", "ElementType = MET_SHORT", "ElementDataFile = LOCAL"};
        String[] junk = {"", "0", "-1", "3", "9999999999", "1e309", "NaN", "True", "abc", "1 2", "1 2 3 4 5 6 7 8 9 10",
                "MET_DOUBLE", "MET_UCHAR_ARRAY", "LOCAL", "LIST", "missing.raw", "%d.raw 1 3 1", "-7 3 2", "2147483647 2 2"};
        byte[] voxels = new byte[48];
        for (int i = 0; i < voxels.length; i++) voxels[i] = (byte) (i * 7);
        Path f = dir.resolve("fuzz.mha");
        int before = refusals;
        for (int n = 0; n < META_CASES; n++) {
            String[] h = lines.clone();
            int mutations = 1 + rng.randint(0, 3);
            for (int m = 0; m < mutations; m++) {
                int line = rng.randint(0, h.length - 1); // keep ElementDataFile last most of the time
                String key = h[line].substring(0, h[line].indexOf('=') + 1);
                switch (rng.randint(0, 4)) {
                    case 0 -> h[line] = key + " " + junk[rng.randint(0, junk.length)];
                    case 1 -> h[line] = "";
                    case 2 -> h[line] = h[rng.randint(0, h.length)];
                    default -> h[h.length - 1] = "ElementDataFile = " + junk[rng.randint(0, junk.length)];
                }
            }
            byte[] header = (String.join("\n", h) + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] all = Arrays.copyOf(header, header.length + rng.randint(0, voxels.length + 16));
            System.arraycopy(voxels, 0, all, header.length, Math.min(voxels.length, all.length - header.length));
            readExpectingOnlyCoverException(f, all, "metaimage case " + n + ": " + String.join(" | ", h));
        }
        assertTrue(refusals > before, "some mutated headers must be refused");
    }
}

package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads voxels stored the way NIfTI and MetaImage store them — first axis fastest (Fortran order), channels
 * interleaved per voxel — into the project's layout: channel-first, C-order ({@link org.cover4j.io.Image}).
 * The data are decoded and scattered chunk by chunk, so no second full-size copy is ever made.
 */
final class FortranVoxels {
    private static final int CHUNK_BYTES = 1 << 20;

    private FortranVoxels() {}

    /**
     * Reads {@code channels × prod(shape)} samples of {@code type} from {@code in} into a new array.
     * The caller has already checked that the count fits and the file can hold the bytes.
     */
    static float[] read(InputStream in, SampleType type, ByteOrder order, int[] shape, int channels, Path file) {
        long voxels = 1;
        for (int s : shape) voxels *= s;
        long total = voxels * channels;
        float[] dst = ImageFiles.allocate(total, file);
        Walk walk = new Walk(shape, channels, voxels);
        int perChunk = Math.max(1, CHUNK_BYTES / type.bytes());
        byte[] bytes = new byte[(int) Math.min(total, perChunk) * type.bytes()];
        float[] values = new float[(int) Math.min(total, perChunk)];
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(order);
        long done = 0;
        try {
            while (done < total) {
                int n = (int) Math.min(values.length, total - done);
                int got = in.readNBytes(bytes, 0, n * type.bytes());
                if (got < n * type.bytes()) {
                    throw CoverException.file(file, "truncated: image data ends after " + (done * type.bytes() + got)
                            + " of " + total * type.bytes() + " bytes");
                }
                bb.clear();
                type.decode(bb, values, 0, n);
                for (int i = 0; i < n; i++) dst[walk.next()] = values[i];
                done += n;
            }
        } catch (IOException e) {
            throw ImageFiles.cannotRead(file, e);
        }
        return dst;
    }

    /**
     * Writes {@code src} (channel-first C order) as a Fortran-order, channel-interleaved stream of {@code type}.
     * Values must already fit the type (the writers check and round them first).
     */
    static void write(java.io.OutputStream out, float[] src, int[] shape, int channels, SampleType type, ByteOrder order)
            throws IOException {
        long voxels = 1;
        for (int s : shape) voxels *= s;
        long total = voxels * channels;
        Walk walk = new Walk(shape, channels, voxels);
        ByteBuffer bb = ByteBuffer.allocate(CHUNK_BYTES).order(order);
        for (long i = 0; i < total; i++) {
            float v = src[walk.next()];
            switch (type) {
                case UINT8, INT8 -> bb.put((byte) (int) v);
                case INT16, UINT16 -> bb.putShort((short) (int) v);
                case INT32 -> bb.putInt((int) v);
                case FLOAT32 -> bb.putFloat(v);
                case FLOAT64 -> bb.putDouble(v);
                default -> throw new IllegalArgumentException("cannot write " + type);
            }
            if (bb.remaining() < 8) {
                out.write(bb.array(), 0, bb.position());
                bb.clear();
            }
        }
        out.write(bb.array(), 0, bb.position());
    }

    /**
     * Walks a Fortran-order, channel-interleaved element sequence and yields, for each element, its index in the
     * channel-first C-order array. The C offset is updated incrementally, so each step costs O(1) amortised.
     */
    static final class Walk {
        private final int[] shape;
        private final long[] cStride;
        private final int[] idx;
        private final int channels;
        private final long voxels;
        private int channel;
        private long pos;

        Walk(int[] shape, int channels, long voxels) {
            this.shape = shape;
            this.channels = channels;
            this.voxels = voxels;
            this.idx = new int[shape.length];
            this.cStride = new long[shape.length];
            long s = 1;
            for (int a = shape.length - 1; a >= 0; a--) {
                cStride[a] = s;
                s *= shape[a];
            }
        }

        int next() {
            int at = (int) (channel * voxels + pos);
            if (++channel < channels) return at;
            channel = 0;
            for (int a = 0; a < shape.length; a++) {
                pos += cStride[a];
                if (++idx[a] < shape[a]) break;
                pos -= cStride[a] * shape[a];
                idx[a] = 0;
            }
            return at;
        }
    }
}

package org.cover4j.torch;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;

/** Conversion between Java arrays and tensors (float32, C-order), and small tensor facts. */
public final class Tensors {
    private Tensors() {}

    /** A new float32 tensor on {@code device} holding a copy of {@code data}. */
    public static Tensor of(float[] data, Device device, long... shape) {
        Torch.load();
        long n = 1;
        for (long s : shape) n *= s;
        if (n != data.length) {
            throw new IllegalArgumentException("array of " + data.length + " values for shape " + Arrays.toString(shape));
        }
        Tensor cpu = Tensor.create(data, shape);
        if (device == null || device.is_cpu()) return cpu;
        return cpu.to(device, torch.ScalarType.Float);
    }

    public static Tensor of(float[] data, long... shape) {
        return of(data, null, shape);
    }

    public static Tensor of(float[] data, int[] shape) {
        return of(data, null, Arrays.stream(shape).asLongStream().toArray());
    }

    /** A new int64 tensor of shape {@code (values.length)} on {@code device}: indices for {@code index_select}. */
    public static Tensor indices(int[] values, Device device) {
        Torch.load();
        long[] wide = new long[values.length];
        for (int i = 0; i < values.length; i++) wide[i] = values[i];
        Tensor cpu = Tensor.create(wide, values.length);
        if (device == null || device.is_cpu()) return cpu;
        return cpu.to(device, torch.ScalarType.Long);
    }

    /** A copy of the values (moved to the CPU and made contiguous float32 first if needed). */
    public static float[] toArray(Tensor t) {
        Tensor cpu = t.device().is_cpu() ? t : t.cpu();
        // JavaCPP returns a fresh enum object per call: compare the interned constant.
        Tensor f = cpu.scalar_type().intern() != torch.ScalarType.Float ? cpu.to(torch.ScalarType.Float) : cpu;
        Tensor c = f.contiguous();
        try {
            long n = c.numel();
            float[] out = new float[Math.toIntExact(n)];
            if (n > 0) new FloatPointer(c.data_ptr()).capacity(n).get(out);
            return out;
        } finally {
            // The intermediate copies go now rather than when the step's scope closes (contiguous() of a contiguous
            // tensor is a new wrapper of the same storage: closing it frees nothing).
            if (c != t && c != f) c.close();
            if (f != t && f != cpu) f.close();
            if (cpu != t) cpu.close();
        }
    }

    public static double item(Tensor t) {
        return t.item_double();
    }

    public static long[] shape(Tensor t) {
        return t.shape();
    }

    /** Spatial dimensionality of a {@code (B, C, *spatial)} tensor. */
    public static int spatialDims(Tensor t) {
        return (int) t.dim() - 2;
    }
}

package org.cover4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * A start-up check that the convolutions cover4j runs compute what they should on this CPU: the output against a
 * direct computation in double precision here, the input and weight gradients against libtorch's float64 convolution.
 *
 * <p>Why: on some machines oneDNN's JIT convolution kernels give plainly wrong results for some shapes, and nothing in
 * libtorch notices — measured on a virtual machine with an "AMD EPYC" CPU of family 26 (AVX-512 with BF16) that exposes
 * no cache topology: input gradients of 3×3 convolutions with fewer than 16 filters on NCHW inputs (float32 too), a
 * float32 1×1 stride-2 convolution of a channels-last input with 512 filters (larger ones crashed the process),
 * bfloat16 convolutions with one input channel or fewer than 16 filters — off by 30–100% of their scale, some NaN.
 * cover4j steers around those ({@link Ops#convolutionLayout}, {@link Precision#forConvolution}); the probes here are
 * those cases plus ordinary ones, run the way the networks run them, each tiny (about 0.1 s in all, most of it
 * libtorch's first calls). Where one still fails with oneDNN on, oneDNN is switched off for the process
 * ({@code at::globalContext().setUserEnabledMkldnn(false)}: right, but 2–4× slower and, in 3D, 4× the memory, measured
 * there) with a one-line warning, and the probes run again; where one fails either way nothing can be trusted and every
 * command stops with that message.
 *
 * <p>{@code COVER4J_ONEDNN}: {@code auto} (the default: check, switch off where wrong), {@code on} (no check, oneDNN as
 * libtorch chooses), {@code off} (oneDNN off without checking, e.g. for an A/B timing).
 */
public final class ConvolutionCheck {
    /** The environment variable that overrides the check. */
    public static final String ENV = "COVER4J_ONEDNN";

    /** Relative error (of the largest exact value compared: output or gradient) a float32 result may have; rounding is ~1e-6. */
    static final double FP32_TOLERANCE = 1e-4;
    /** bfloat16 results are rounded to 8 significant bits (2⁻⁹ relative) after float32 accumulation. */
    static final double BF16_TOLERANCE = 1e-2;

    /** One convolution: input and weight shapes, stride (padding keeps the size at stride 1), layout, element type. */
    record Probe(String name, long[] input, long[] weight, int stride, boolean channelsLast, boolean bf16) {
        int spatialDims() {
            return input.length - 2;
        }

        String describe() {
            return (bf16 ? "bfloat16" : "float32") + " " + name;
        }
    }

    /** A probe and the relative error of what the convolution under test gave for {@code what} (output or a gradient). */
    record Result(Probe probe, String what, double error) {
        boolean ok() {
            return error <= (probe.bf16() ? BF16_TOLERANCE : FP32_TOLERANCE);
        }

        String describe() {
            return String.format(Locale.ROOT, "%s: %s off by %.0f%% of its scale", probe.describe(), what, 100 * error);
        }
    }

    /**
     * What the start-up check decided: whether oneDNN is on, under which {@code COVER4J_ONEDNN} setting ({@code auto},
     * {@code on} or {@code off}), and a {@link #message} that is null where nothing needs saying.
     */
    public record Outcome(boolean onednn, String setting, String message) {}

    static final List<Probe> PROBES = List.of(
            new Probe("2D 3x3 convolution (2x16x8x8, 32 filters)", new long[] {2, 16, 8, 8}, new long[] {32, 16, 3, 3}, 1, false, false),
            new Probe("2D 3x3 convolution with four filters (2x8x6x6)", new long[] {2, 8, 6, 6}, new long[] {4, 8, 3, 3}, 1, false, false),
            new Probe("3D 3x3x3 convolution with four filters (1x8x6x6x6)", new long[] {1, 8, 6, 6, 6}, new long[] {4, 8, 3, 3, 3}, 1, false, false),
            new Probe("3D 3x3x3 convolution (1x8x6x6x6, 16 filters)", new long[] {1, 8, 6, 6, 6}, new long[] {16, 8, 3, 3, 3}, 1, false, false),
            new Probe("2D 1x1 stride-2 convolution of a channels-last input (2x64x8x8, 512 filters)",
                    new long[] {2, 64, 8, 8}, new long[] {512, 64, 1, 1}, 2, true, false),
            new Probe("2D 3x3 convolution (2x16x8x8, 32 filters)", new long[] {2, 16, 8, 8}, new long[] {32, 16, 3, 3}, 1, false, true),
            new Probe("2D 3x3 convolution of one channel (2x1x6x6, 16 filters)", new long[] {2, 1, 6, 6}, new long[] {16, 1, 3, 3}, 1, false, true),
            new Probe("2D 3x3 convolution of eight channels (2x8x6x6, 16 filters)", new long[] {2, 8, 6, 6}, new long[] {16, 8, 3, 3}, 1, false, true),
            new Probe("2D 3x3 convolution with four filters (2x8x6x6)", new long[] {2, 8, 6, 6}, new long[] {4, 8, 3, 3}, 1, false, true),
            new Probe("3D 3x3x3 convolution of one channel (1x1x6x6x6, 16 filters)", new long[] {1, 1, 6, 6, 6}, new long[] {16, 1, 3, 3, 3}, 1, false, true),
            new Probe("3D 3x3x3 convolution of a volume 2 deep (1x16x2x4x4, 16 filters)", new long[] {1, 16, 2, 4, 4}, new long[] {16, 16, 3, 3, 3}, 1, true, true));

    private static volatile Outcome outcome;
    /** Where the check found convolutions wrong either way: thrown again to every later caller. */
    private static volatile CoverException refused;
    /** Set while the check runs (guarded by the class lock). */
    private static boolean running;

    private ConvolutionCheck() {}

    /** What {@link #ensure} decided in this process (null before it ran). */
    public static Outcome outcome() {
        return outcome;
    }

    /**
     * Runs once per process, from {@link Torch#load}: applies {@code COVER4J_ONEDNN}, checks the convolutions, switches
     * oneDNN off where it is wrong, and prints a one-line warning then. Throws where convolutions are wrong either way
     * (then and at every later call). Cheap after the first call.
     */
    static void ensure() {
        if (refused != null) throw refused;
        if (outcome == null) check();
    }

    private static synchronized void check() {
        if (refused != null) throw refused;
        if (outcome != null || running) return; // running: the probes' own tensor calls come back through Torch.load
        Outcome o;
        running = true;
        try {
            o = decide(System.getenv(ENV), torch.globalContext().userEnabledMkldnn() && torch.hasMKLDNN(),
                    ConvolutionCheck::failures, on -> torch.globalContext().setUserEnabledMkldnn(on));
        } catch (CoverException e) {
            refused = e;
            throw e;
        } finally {
            running = false;
        }
        if (o.message() != null) System.err.println("cover4j: warning: " + o.message());
        outcome = o;
    }

    /** Something that switches oneDNN on or off. */
    interface Switch {
        void set(boolean on);
    }

    /**
     * The decision, apart from libtorch's global state so that tests can drive it: {@code setting} is the value of
     * {@code COVER4J_ONEDNN} (null = auto), {@code onednn} whether oneDNN is on now, {@code check} runs the probes and
     * returns the failures as they are now, {@code toggle} switches oneDNN.
     */
    static Outcome decide(String setting, boolean onednn, java.util.function.Supplier<List<Result>> check, Switch toggle) {
        String s = setting == null || setting.isBlank() ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "on":
                return new Outcome(onednn, s, null);
            case "off":
                toggle.set(false);
                return new Outcome(false, s, null);
            case "auto":
                break;
            default:
                throw CoverException.usage(ENV + " must be auto, on or off, got '" + setting + "'");
        }
        List<Result> wrong = check.get();
        if (wrong.isEmpty()) return new Outcome(onednn, s, null);
        if (!onednn) throw wrongEitherWay(wrong);
        toggle.set(false);
        List<Result> still = check.get();
        if (!still.isEmpty()) {
            toggle.set(true);
            throw wrongEitherWay(still);
        }
        return new Outcome(false, s, "oneDNN's convolutions give wrong results on this CPU (" + wrong.get(0).describe()
                + (wrong.size() > 1 ? ", and " + (wrong.size() - 1) + " more of " + PROBES.size() + " probes" : "")
                + "); using libtorch's own convolutions instead (right, but several times slower; " + ENV + "=on keeps oneDNN)");
    }

    private static CoverException wrongEitherWay(List<Result> wrong) {
        return new CoverException("convolutions give wrong results on this machine with and without "
                + "oneDNN (" + wrong.get(0).describe() + "); refusing to compute on them", CoverException.INTERNAL, null);
    }

    /**
     * One line per probe, run now (with oneDNN as it now is): its name, "right" or "WRONG", and its worst relative
     * error with what it was in — what {@code cover4j info --engine} prints.
     */
    public static List<String> probeReport() {
        Torch.load();
        List<String> lines = new ArrayList<>();
        for (Result r : results(ConvolutionCheck::libtorch)) {
            lines.add(String.format(Locale.ROOT, "%-5s %s (worst: %s, %.1e of its scale)", r.ok() ? "right" : "WRONG",
                    r.probe().describe(), r.what(), r.error()));
        }
        return lines;
    }

    /** The probes that libtorch's convolution gets wrong now. */
    static List<Result> failures() {
        return failures(ConvolutionCheck::libtorch);
    }

    /** The probes that {@code conv} (input, weight → output, float32 or bfloat16 as the probe says) gets wrong. */
    static List<Result> failures(BiFunction<Probe, Tensor[], Tensor> conv) {
        return results(conv).stream().filter(r -> !r.ok()).toList();
    }

    /** Every probe run with {@code conv}, on the same values each time. */
    private static List<Result> results(BiFunction<Probe, Tensor[], Tensor> conv) {
        List<Result> all = new ArrayList<>();
        Rng rng = new Rng(20261208);
        for (Probe p : PROBES) all.add(run(p, conv, rng));
        return all;
    }

    /**
     * Runs one probe on values uniform in [−1, 1) (rounded to bfloat16's precision for a bfloat16 probe): the output
     * against the direct computation, then the input and weight gradients of Σ output·g (g random) as autograd computes
     * them (the same {@code convolution_backward} as the U-Net's hand-written pass) against libtorch's float64
     * convolution's (libtorch's own kernels: oneDNN has no float64 ones). The worst of the three.
     */
    static Result run(Probe p, BiFunction<Probe, Tensor[], Tensor> conv, Rng rng) {
        Tensor[] operands = {operand(p.input(), p, rng), operand(p.weight(), p, rng)};
        for (Tensor t : operands) t.requires_grad_(true);
        Tensor y = conv.apply(p, operands);
        Tensor upstream = operand(Tensors.shape(y), p, rng);
        Result worst = new Result(p, "output", relativeError(doubles(y),
                direct(doubles(operands[0]), p.input(), doubles(operands[1]), p.weight(), p.stride())));
        y.to(torch.ScalarType.Float).mul(upstream).sum().backward();

        Tensor xd = operands[0].detach().to(torch.ScalarType.Double).requires_grad_(true);
        Tensor wd = operands[1].detach().to(torch.ScalarType.Double).requires_grad_(true);
        int nd = p.spatialDims();
        long[] stride = Ops.repeat(p.stride(), nd);
        long[] padding = Ops.repeat((p.weight()[2] - 1) / 2, nd);
        long[] dilation = Ops.repeat(1, nd);
        TensorOptional noBias = new TensorOptional();
        Tensor yd = nd == 2 ? torch.conv2d(xd, wd, noBias, stride, padding, dilation, 1) : torch.conv3d(xd, wd, noBias, stride, padding, dilation, 1);
        yd.mul(upstream.to(torch.ScalarType.Double)).sum().backward();
        Tensor[] grads = {operands[0].grad(), xd.grad(), operands[1].grad(), wd.grad()};
        Result input = new Result(p, "input gradient", relativeError(doubles(grads[0]), doubles(grads[1])));
        Result weight = new Result(p, "weight gradient", relativeError(doubles(grads[2]), doubles(grads[3])));
        for (Result r : new Result[] {input, weight}) if (!(r.error() <= worst.error())) worst = r;
        Ops.release(grads);
        Ops.release(operands[0], operands[1], y, upstream, xd, wd, yd);
        return worst;
    }

    /** max |got − exact| / max |exact|; infinite where the lengths differ or a value is NaN. */
    static double relativeError(double[] got, double[] exact) {
        if (got.length != exact.length) return Double.POSITIVE_INFINITY;
        double scale = 0;
        double worst = 0;
        for (double v : exact) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs(got[i] - exact[i]);
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return worst / scale;
    }

    private static double[] doubles(Tensor t) {
        float[] v = Tensors.toArray(t);
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private static Tensor operand(long[] shape, Probe p, Rng rng) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.uniform(-1, 1);
        Tensor t = Tensors.of(v, shape);
        if (!p.bf16()) return t;
        // Values a bfloat16 holds exactly, so that the cast the convolution makes loses nothing.
        Tensor b = t.to(torch.ScalarType.BFloat16);
        Tensor f = b.to(torch.ScalarType.Float);
        t.close();
        b.close();
        return f;
    }

    /**
     * The convolution as the networks run it: operands in the probe's precision as {@link Precision#forConvolution}
     * casts them (float32 where bfloat16 is known to be wrong), then {@link Ops#convolve} (the layout that is right).
     */
    static Tensor libtorch(Probe p, Tensor[] xw) {
        Precision precision = p.bf16() ? Precision.BF16 : Precision.FP32;
        Tensor x = p.channelsLast() ? Ops.channelsLast(xw[0]) : xw[0];
        Tensor xc = precision.convolutionOperand(x, x, xw[1]);
        Tensor wc = precision.convolutionOperand(xw[1], x, xw[1]);
        long pad = (p.weight()[2] - 1) / 2;
        Tensor y = Ops.convolve(xc, wc, null, p.stride(), pad, 1);
        Ops.releaseCasts(x, xc, xw[1], wc);
        if (x != xw[0]) x.close();
        return y;
    }

    /**
     * The convolution by definition, in double: zero padding (k − 1) / 2 on every side, cross-correlation, no bias,
     * row-major (N, C, spatial…) arrays; 2D inputs are 3D ones with a depth of 1.
     */
    static double[] direct(double[] x, long[] xShape, double[] w, long[] wShape, int stride) {
        boolean two = xShape.length == 4;
        int n = (int) xShape[0], c = (int) xShape[1];
        int d = two ? 1 : (int) xShape[2], h = (int) xShape[xShape.length - 2], wd = (int) xShape[xShape.length - 1];
        int f = (int) wShape[0];
        int kd = two ? 1 : (int) wShape[2], kh = (int) wShape[wShape.length - 2], kw = (int) wShape[wShape.length - 1];
        int pd = (kd - 1) / 2, ph = (kh - 1) / 2, pw = (kw - 1) / 2;
        int od = (d + 2 * pd - kd) / stride + 1, oh = (h + 2 * ph - kh) / stride + 1, ow = (wd + 2 * pw - kw) / stride + 1;
        double[] y = new double[n * f * od * oh * ow];
        int o = 0;
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < f; k++) {
                for (int z = 0; z < od; z++) {
                    for (int r = 0; r < oh; r++) {
                        for (int s = 0; s < ow; s++) {
                            double sum = 0;
                            for (int ch = 0; ch < c; ch++) {
                                for (int a = 0; a < kd; a++) {
                                    int zi = z * stride - pd + a;
                                    if (zi < 0 || zi >= d) continue;
                                    for (int i = 0; i < kh; i++) {
                                        int ri = r * stride - ph + i;
                                        if (ri < 0 || ri >= h) continue;
                                        for (int j = 0; j < kw; j++) {
                                            int si = s * stride - pw + j;
                                            if (si < 0 || si >= wd) continue;
                                            sum += x[(((b * c + ch) * d + zi) * h + ri) * wd + si]
                                                    * w[(((k * c + ch) * kd + a) * kh + i) * kw + j];
                                        }
                                    }
                                }
                            }
                            y[o++] = sum;
                        }
                    }
                }
            }
        }
        return y;
    }
}

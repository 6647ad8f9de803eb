package org.cover4j.nn.transunet;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.Map;

import static org.cover4j.nn.transunet.Layers.RESNET_GN_EPS;
import static org.cover4j.nn.transunet.Layers.groupNorm;
import static org.cover4j.nn.transunet.Layers.record;
import static org.cover4j.nn.transunet.Layers.stdConv;

/**
 * The official {@code ResNetV2} of the hybrid embedding ({@code transformer.embeddings.hybrid_model}): a 7×7/2 root
 * (StdConv, GroupNorm, ReLU), a 3×3/2 max-pool without padding, then three blocks of {@code PreActBottleneck} units
 * (width 4w, 8w, 16w; blocks 2 and 3 stride 2 on their first unit's 3×3 conv). Despite the name the units are
 * post-activation: {@code relu(gn1(conv1))}, {@code relu(gn2(conv2))}, {@code gn3(conv3)}, {@code relu(residual + y)}.
 */
final class ResNetHybrid {
    /** The ResNet's outputs: the 1/16 map the patch embedding reads, and the decoder's skips finest last. */
    record Features(Tensor deepest, Tensor eighth, Tensor quarter, Tensor half) {
        /** Skip {@code i} of the official {@code features[::-1]}: 0 = 1/8, 1 = 1/4 (zero-padded), 2 = 1/2. */
        Tensor skip(int i) {
            return i == 0 ? eighth : i == 1 ? quarter : half;
        }
    }

    private static final String PATH = "transformer.embeddings.hybrid_model";
    private static final int GROUPS = 32;

    private final Params params;
    private final String prefix;
    private final int width;
    private final int[] units;

    /** Registers root and body in state_dict order under {@code prefix} (which ends in {@code hybrid_model.}). */
    ResNetHybrid(Params params, String prefix, int width, int[] units, Rng rng) {
        this.params = params;
        this.prefix = prefix;
        this.width = width;
        this.units = units.clone();
        Layers.defaultWeight(params, prefix + "root.conv.weight", rng, width, 3, 7, 7);
        Layers.norm(params, prefix + "root.gn", width);
        int cin = width;
        for (int b = 0; b < 3; b++) {
            int cout = width * 4 << b;
            int cmid = width << b;
            for (int u = 1; u <= units[b]; u++) {
                registerUnit(unitName(b, u), u == 1 ? cin : cout, cout, cmid, rng);
            }
            cin = cout;
        }
    }

    private static String unitName(int block, int unit) {
        return "body.block" + (block + 1) + ".unit" + unit;
    }

    private void registerUnit(String unit, int cin, int cout, int cmid, Rng rng) {
        String p = prefix + unit;
        Layers.norm(params, p + ".gn1", cmid);
        Layers.defaultWeight(params, p + ".conv1.weight", rng, cmid, cin, 1, 1);
        Layers.norm(params, p + ".gn2", cmid);
        Layers.defaultWeight(params, p + ".conv2.weight", rng, cmid, cmid, 3, 3);
        Layers.norm(params, p + ".gn3", cout);
        Layers.defaultWeight(params, p + ".conv3.weight", rng, cout, cmid, 1, 1);
        if (hasProjection(unit)) {
            Layers.defaultWeight(params, p + ".downsample.weight", rng, cout, cin, 1, 1);
            Layers.norm(params, p + ".gn_proj", cout);
        }
    }

    /** Only every block's first unit changes width or stride, so only it has {@code downsample} / {@code gn_proj}. */
    private static boolean hasProjection(String unit) {
        return unit.endsWith(".unit1");
    }

    /** The 3-channel input (B, 3, H, W) to the 1/16 map and the skips, recording the fixture's stage tensors. */
    Features forward(Tensor x, Map<String, Tensor> trace) {
        long inSize = x.size(2);
        Tensor y = stdConv(x, param("root.conv.weight"), 2, 3);
        Tensor z = groupNorm(y, GROUPS, param("root.gn.weight"), param("root.gn.bias"), RESNET_GN_EPS);
        Tensor root = Ops.relu(z);
        Ops.release(y, z);
        record(trace, "out/" + PATH + ".root", root);
        // nn.MaxPool2d(3, stride=2, padding=0), created inside the official forward: floor mode, 64 -> 32 -> 15.
        Tensor h = torch.max_pool2d(root, new long[] {3, 3}, new long[] {2, 2}, new long[] {0, 0}, new long[] {1, 1}, false);
        record(trace, "in/" + PATH + ".body.block1", h);
        Tensor[] skips = new Tensor[2];
        for (int b = 0; b < 3; b++) {
            for (int u = 1; u <= units[b]; u++) {
                Tensor next = unit(h, unitName(b, u), u == 1 && b > 0 ? 2 : 1);
                // A unit's input that nothing else reads: an inner unit's output, or the pooled map when not traced
                // (a block's output is a skip).
                if (u > 1 || (b == 0 && trace == null)) Ops.release(h);
                h = next;
            }
            record(trace, "out/" + PATH + ".body.block" + (b + 1), h);
            if (b < 2) {
                skips[b] = padTo(h, (long) (inSize / 4.0 / (b + 1)));
                if (b == 1) record(trace, "out/" + PATH + ":1.1", skips[0]);
            }
        }
        return new Features(h, skips[1], skips[0], root);
    }

    /**
     * The official zero-padded skip: a map whose height differs from {@code int(in_size/4/(i+1))} is copied into the
     * top-left corner of a zero map of that size (15 → 16 at 64², 55 → 56 at 224²); the unpadded map goes on.
     */
    private static Tensor padTo(Tensor x, long size) {
        long padH = size - x.size(2);
        long padW = size - x.size(3);
        if (padH == 0 && padW == 0) return x;
        return torch.constant_pad_nd(x, new long[] {0, padW, 0, padH}, Ops.s(0));
    }

    private Tensor unit(Tensor x, String unit, long stride) {
        String p = unit + ".";
        Tensor residual = x;
        if (hasProjection(unit)) {
            Tensor d = stdConv(x, param(p + "downsample.weight"), stride, 0);
            long c = d.size(1);
            // gn_proj = nn.GroupNorm(cout, cout): one channel per group, default eps 1e-5.
            residual = groupNorm(d, c, param(p + "gn_proj.weight"), param(p + "gn_proj.bias"), Ops.GROUP_NORM_EPS);
            Ops.release(d);
        }
        Tensor y = convNormRelu(x, p + "conv1", p + "gn1", 1, 0, true);
        Tensor y2 = convNormRelu(y, p + "conv2", p + "gn2", stride, 1, true);
        Tensor y3 = convNormRelu(y2, p + "conv3", p + "gn3", 1, 0, false);
        Tensor sum = residual.add(y3);
        Tensor out = Ops.relu(sum);
        Ops.release(y, y2, y3, sum);
        if (residual != x) Ops.release(residual);
        return out;
    }

    private Tensor convNormRelu(Tensor x, String conv, String norm, long stride, long pad, boolean relu) {
        Tensor c = stdConv(x, param(conv + ".weight"), stride, pad);
        Tensor n = groupNorm(c, GROUPS, param(norm + ".weight"), param(norm + ".bias"), RESNET_GN_EPS);
        Ops.release(c);
        if (!relu) return n;
        Tensor r = Ops.relu(n);
        Ops.release(n);
        return r;
    }

    /** Channels of the 1/16 map: 16w. */
    int outChannels() {
        return 16 * width;
    }

    private Tensor param(String name) {
        return params.get(prefix + name);
    }
}

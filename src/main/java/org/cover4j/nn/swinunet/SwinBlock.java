package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.Arrays;

/**
 * One {@code SwinTransformerBlock} on (B, res², C) tokens: {@code x + attn(norm1(x))}, then {@code x + mlp(norm2(x))},
 * the attention computed in ws×ws windows of the map cyclically shifted by {@code -shift} (rolled back after), with a
 * learned relative-position bias and, for shifted blocks, the mask that keeps tokens of different regions apart.
 * Tensors under {@code NAME.} in the official state_dict order: {@code attn_mask} (shifted blocks only), {@code norm1},
 * {@code attn.relative_position_bias_table}, {@code attn.relative_position_index}, {@code attn.qkv}, {@code attn.proj},
 * {@code norm2}, {@code mlp.fc1}, {@code mlp.fc2}.
 */
final class SwinBlock {
    private final Params params;
    private final String name;
    private final int res;
    private final int heads;
    private final int ws;
    private final int shift;
    private final Tensor mask;
    private final Norm norm1;
    private final Tensor biasTable;
    /** The index table as int64 for index_select; equal to the float buffer in Params (checked by {@link #checkLoaded}). */
    private final Tensor index;
    private final Affine qkv;
    private final Affine proj;
    private final Norm norm2;
    private final Affine fc1;
    private final Affine fc2;

    SwinBlock(Params params, String name, int dim, int res, int heads, int ws, int shift, int hidden, boolean qkvBias, Rng rng) {
        this.params = params;
        this.name = name;
        this.res = res;
        this.heads = heads;
        this.ws = ws;
        this.shift = shift;
        int n = ws * ws;
        mask = shift > 0 ? params.addBuffer(name + ".attn_mask", Windows.attentionMask(res, ws, shift), (long) (res / ws) * (res / ws), n, n) : null;
        norm1 = Norm.register(params, name + ".norm1", dim);
        int rows = (2 * ws - 1) * (2 * ws - 1);
        biasTable = params.add(name + ".attn.relative_position_bias_table", Init.truncNormal(rng, rows * heads, Affine.STD, -2, 2), rows, heads);
        float[] indexValues = Windows.relativePositionIndex(ws);
        params.addBuffer(name + ".attn.relative_position_index", indexValues, n, n);
        index = Tensors.indices(toInts(indexValues), params.device());
        qkv = Affine.register(params, name + ".attn.qkv", dim, 3 * dim, qkvBias, rng);
        proj = Affine.register(params, name + ".attn.proj", dim, dim, true, rng);
        norm2 = Norm.register(params, name + ".norm2", dim);
        fc1 = Affine.register(params, name + ".mlp.fc1", dim, hidden, true, rng);
        fc2 = Affine.register(params, name + ".mlp.fc2", hidden, dim, true, rng);
    }

    Tensor forward(Tensor x) {
        long b = x.size(0);
        long c = x.size(2);
        Tensor map = norm1.apply(x).view(b, res, res, c);
        if (shift > 0) map = torch.roll(map, new long[] {-shift, -shift}, 1, 2);
        Tensor windows = attention(Windows.partition(map, ws));
        Tensor back = Windows.reverse(windows, ws, res, res);
        if (shift > 0) back = torch.roll(back, new long[] {shift, shift}, 1, 2);
        Tensor y = x.add(back.view(b, (long) res * res, c));
        return y.add(fc2.apply(Ops.gelu(fc1.apply(norm2.apply(y)))));
    }

    /** {@code WindowAttention.forward} on (B·nW, N, C) windows. */
    private Tensor attention(Tensor x) {
        long bw = x.size(0);
        long n = x.size(1);
        long c = x.size(2);
        long headDim = c / heads;
        Tensor qkvAll = qkv.apply(x).reshape(bw, n, 3, heads, headDim).permute(2, 0, 3, 1, 4);
        Tensor q = qkvAll.select(0, 0).mul(Ops.s(Math.pow(headDim, -0.5)));
        Tensor k = qkvAll.select(0, 1);
        Tensor v = qkvAll.select(0, 2);
        Tensor bias = biasTable.index_select(0, index).view(n, n, heads).permute(2, 0, 1).contiguous();
        Tensor attn = q.matmul(k.transpose(-2, -1)).add(bias.unsqueeze(0));
        if (mask != null) {
            long nw = mask.size(0);
            attn = attn.view(bw / nw, nw, heads, n, n).add(mask.unsqueeze(1).unsqueeze(0)).view(-1, heads, n, n);
        }
        Tensor out = Ops.softmax(attn, -1).matmul(v).transpose(1, 2).reshape(bw, n, c);
        return proj.apply(out);
    }

    /** The fixed buffers must hold what this block computes; one line naming {@code source} and the tensor otherwise. */
    void checkLoaded(String source) {
        check(source, name + ".attn.relative_position_index", Windows.relativePositionIndex(ws));
        if (mask != null) check(source, name + ".attn_mask", Windows.attentionMask(res, ws, shift));
    }

    private void check(String source, String key, float[] want) {
        float[] got;
        try (NoGradGuard g = new NoGradGuard()) {
            got = Tensors.toArray(params.get(key));
        }
        if (!Arrays.equals(got, want)) {
            throw new CoverException(source + ": " + key + " differs from the values the architecture fixes (window " + ws
                    + ", shift " + shift + " on a " + res + "×" + res + " grid)");
        }
    }

    private static int[] toInts(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) v[i];
        return out;
    }
}

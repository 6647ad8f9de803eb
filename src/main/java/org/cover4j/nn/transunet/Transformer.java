package org.cover4j.nn.transunet;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.Map;

import static org.cover4j.nn.transunet.Layers.layerNorm;
import static org.cover4j.nn.transunet.Layers.record;

/**
 * The official {@code Transformer} module ({@code transformer.*}): the hybrid embedding (ResNet, 1×1 patch conv on
 * its 1/16 map, learnt position embeddings, dropout) and the pre-LN ViT encoder (LayerNorm eps 1e-6; separate
 * query/key/value/out Linear layers; scores / √head_dim, softmax; MLP fc1 → exact GELU → dropout → fc2 → dropout;
 * residual adds after attention and after the MLP) closed by {@code encoder_norm}.
 */
final class Transformer {
    /** The encoder's tokens (B, N, hidden) after {@code encoder_norm}, and the ResNet's skips. */
    record Encoded(Tensor tokens, ResNetHybrid.Features features) {}

    private final Params params;
    private final String prefix;
    private final TransUNetConfig config;
    private final ResNetHybrid hybrid;

    /** Registers every tensor under {@code prefix} (which ends in {@code transformer.}) in state_dict order. */
    Transformer(Params params, String prefix, TransUNetConfig config, Rng rng) {
        this.params = params;
        this.prefix = prefix;
        this.config = config;
        int hidden = config.hidden();
        int patches = config.grid() * config.grid();
        // A module's own parameters come before its children's in the state_dict: position_embeddings first.
        params.add(prefix + "embeddings.position_embeddings", new float[patches * hidden], 1, patches, hidden);
        hybrid = new ResNetHybrid(params, prefix + "embeddings.hybrid_model.", config.width(), config.resnetLayers(), rng);
        int cin = hybrid.outChannels();
        Layers.defaultWeight(params, prefix + "embeddings.patch_embeddings.weight", rng, hidden, cin, 1, 1);
        Layers.defaultBias(params, prefix + "embeddings.patch_embeddings.bias", rng, hidden, cin);
        for (int i = 0; i < config.numLayers(); i++) registerBlock(prefix + "encoder.layer." + i + ".", rng);
        Layers.norm(params, prefix + "encoder.encoder_norm", hidden);
    }

    /** One {@code Block}, in its registration order: attention_norm, ffn_norm, ffn (Mlp), attn (Attention). */
    private void registerBlock(String p, Rng rng) {
        int hidden = config.hidden();
        int mlp = config.mlpDim();
        Layers.norm(params, p + "attention_norm", hidden);
        Layers.norm(params, p + "ffn_norm", hidden);
        // Mlp._init_weights: xavier_uniform_ weights, N(0, 1e-6) biases.
        params.add(p + "ffn.fc1.weight", xavierUniform(rng, mlp, hidden), mlp, hidden);
        params.add(p + "ffn.fc1.bias", gaussian(rng, mlp, 1e-6), mlp);
        params.add(p + "ffn.fc2.weight", xavierUniform(rng, hidden, mlp), hidden, mlp);
        params.add(p + "ffn.fc2.bias", gaussian(rng, hidden, 1e-6), hidden);
        for (String name : new String[] {"query", "key", "value", "out"}) {
            Layers.defaultWeight(params, p + "attn." + name + ".weight", rng, hidden, hidden);
            Layers.defaultBias(params, p + "attn." + name + ".bias", rng, hidden, hidden);
        }
    }

    private static float[] xavierUniform(Rng rng, int out, int in) {
        double bound = Math.sqrt(6.0 / (in + out));
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.uniform(-bound, bound);
        return w;
    }

    private static float[] gaussian(Rng rng, int n, double std) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (rng.nextGaussian() * std);
        return w;
    }

    /** The 3-channel input (B, 3, H, W) through embeddings and encoder. */
    Encoded forward(Tensor x, boolean training, Dropout dropout, Map<String, Tensor> trace) {
        ResNetHybrid.Features f = hybrid.forward(x, trace);
        Tensor patches = Ops.conv2d(f.deepest(), param("embeddings.patch_embeddings.weight"),
                param("embeddings.patch_embeddings.bias"), 1, 0, 1);
        record(trace, "out/transformer.embeddings.patch_embeddings", patches);
        if (trace == null) Ops.release(f.deepest());
        Tensor tokens = patches.flatten(2, -1).transpose(-1, -2);
        Tensor embedded = tokens.add(param("embeddings.position_embeddings"));
        Tensor h = dropout.apply(embedded, config.dropout(), training);
        if (trace == null) Ops.release(patches, tokens);
        record(trace, "out/transformer.embeddings:0", h);
        for (int i = 0; i < config.numLayers(); i++) {
            Tensor next = block(h, "encoder.layer." + i + ".", training, dropout);
            if (trace == null) Ops.release(h);
            h = next;
            record(trace, "out/transformer.encoder.layer." + i + ":0", h);
        }
        Tensor encoded = layerNorm(h, param("encoder.encoder_norm.weight"), param("encoder.encoder_norm.bias"));
        if (trace == null) Ops.release(h);
        record(trace, "out/transformer.encoder:0", encoded);
        return new Encoded(encoded, f);
    }

    private Tensor block(Tensor x, String p, boolean training, Dropout dropout) {
        Tensor n1 = layerNorm(x, param(p + "attention_norm.weight"), param(p + "attention_norm.bias"));
        Tensor a = attention(n1, p + "attn.", training, dropout);
        Tensor x1 = a.add(x);
        Tensor n2 = layerNorm(x1, param(p + "ffn_norm.weight"), param(p + "ffn_norm.bias"));
        Tensor m = mlp(n2, p + "ffn.", training, dropout);
        Tensor out = m.add(x1);
        Ops.release(n1, a, x1, n2, m);
        return out;
    }

    private Tensor attention(Tensor x, String p, boolean training, Dropout dropout) {
        long b = x.size(0);
        long n = x.size(1);
        long heads = config.numHeads();
        long headDim = config.hidden() / heads;
        Tensor q = heads(linear(x, p + "query"), heads, headDim);
        Tensor k = heads(linear(x, p + "key"), heads, headDim);
        Tensor v = heads(linear(x, p + "value"), heads, headDim);
        Tensor kt = k.transpose(-1, -2);
        Tensor raw = torch.matmul(q, kt);
        Tensor scores = raw.div(Ops.s(Math.sqrt(headDim)));
        Tensor probs = Ops.softmax(scores, -1);
        Tensor dropped = dropout.apply(probs, config.attentionDropout(), training);
        Tensor context = torch.matmul(dropped, v);
        Tensor merged = context.permute(0, 2, 1, 3).contiguous().view(b, n, config.hidden());
        Tensor out = dropout.apply(linear(merged, p + "out"), config.attentionDropout(), training);
        Ops.release(q, k, v, kt, raw, scores, context, merged);
        return out;
    }

    /** (B, N, hidden) → (B, heads, N, head_dim), the official {@code transpose_for_scores}. */
    private static Tensor heads(Tensor x, long heads, long headDim) {
        return x.view(x.size(0), x.size(1), heads, headDim).permute(0, 2, 1, 3);
    }

    private Tensor mlp(Tensor x, String p, boolean training, Dropout dropout) {
        Tensor h = linear(x, p + "fc1");
        Tensor g = torch.gelu(h, "none");
        Tensor d = dropout.apply(g, config.dropout(), training);
        Tensor out = dropout.apply(linear(d, p + "fc2"), config.dropout(), training);
        Ops.release(h);
        return out;
    }

    private Tensor linear(Tensor x, String name) {
        return Ops.linear(x, param(name + ".weight"), param(name + ".bias"));
    }

    private Tensor param(String name) {
        return params.get(prefix + name);
    }
}

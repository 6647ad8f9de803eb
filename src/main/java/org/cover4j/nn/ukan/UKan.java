package org.cover4j.nn.ukan;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.Backbone;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * U-KAN (Li et al., AAAI 2025; {@code CUHK-AIM-Group/U-KAN}, {@code Seg_UKAN/archs.py: UKAN} with
 * {@code Seg_UKAN/kan.py: KANLinear}, commit b20bf63): a conv encoder (three {@code ConvLayer}s, each followed by
 * {@code relu(max_pool2d(·, 2, 2))}), two tokenized KAN stages (stride-2 conv patch embedding + LayerNorm, one
 * {@link KanBlock}, LayerNorm) at 1/16 and 1/32, and a decoder of five {@code D_ConvLayer}s, each followed by
 * {@code relu(bilinear ×2 upsampling, align_corners=False)} and the skip added after the ReLU (t4 then
 * {@code dblock1 + dnorm3}, t3 then {@code dblock2 + dnorm4}, t2, t1; nothing after decoder5).
 *
 * <p><b>Levels</b> (finest first; channels for embed_dims [e0, e1, e2]): 1/1 = the input of {@code final}
 * (e0/8), 1/2 = the input of {@code decoder5} (e0/8), 1/4 = the input of {@code decoder4} (e0/4), 1/8 = the decoder's
 * 1/8 tokens after {@code dblock2 + dnorm4} as an image (e0), 1/16 = after {@code dblock1 + dnorm3} (e1): the
 * decoder's output at each scale, the tensors the next decoder stage reads. {@link #deepest} is the {@code norm4}
 * output at 1/32 (e2 channels), running only the encoder.
 *
 * <p><b>Input channels.</b> The official first conv is hard-coded to 3 input channels ({@code input_channels} is
 * ignored) and its loader feeds 3-channel images, so a 1-channel image ({@code inChannels = 1}) is repeated to 3
 * channels here, in the forward pass; the first conv keeps the official shape (4-D, 3 input channels) either way, so
 * official weights load into both. Input height and width must be multiples of 32 ({@link UKanConfig#checkInput}).
 *
 * <p><b>Tensors</b> are registered under {@code prefix + <official state_dict key>}, in the official order; the
 * official 1×1 head {@code final.*} only when built {@link #withOfficialHead} (parity tests, official weights):
 * cover4j's methods add their own heads on the levels. BatchNorm layers start in training mode, as PyTorch modules do
 * ({@link #train}).
 */
public final class UKan implements Backbone {
    private final Params params;
    private final String prefix;
    private final UKanConfig config;
    private final int inChannels;
    private final boolean officialHead;
    private final ConvBlock[] encoders = new ConvBlock[3];
    private final KanBlock[] blocks = new KanBlock[2];
    private final KanBlock[] decoderBlocks = new KanBlock[2];
    private final ConvBlock[] decoders = new ConvBlock[5];
    private boolean training = true;

    /** The backbone as cover4j trains it: every official tensor except the head {@code final.*}. */
    public UKan(Params params, String prefix, UKanConfig config, int inChannels, Rng rng) {
        this(params, prefix, config, inChannels, false, rng);
    }

    /** With the official head {@code final} (1×1 conv e0/8 → num_classes), so that {@link #logits} runs. */
    public static UKan withOfficialHead(Params params, String prefix, UKanConfig config, int inChannels, Rng rng) {
        return new UKan(params, prefix, config, inChannels, true, rng);
    }

    private UKan(Params params, String prefix, UKanConfig config, int inChannels, boolean officialHead, Rng rng) {
        if (inChannels != 1 && inChannels != 3) {
            throw CoverException.usage("ukan takes 1- or 3-channel images (a 1-channel image is repeated to 3), got " + inChannels + " channels");
        }
        this.params = params;
        this.prefix = prefix;
        this.config = config;
        this.inChannels = inChannels;
        this.officialHead = officialHead;
        int[] e = config.embedDims();
        // The official constructor's order, which is its state_dict's order.
        encoders[0] = new ConvBlock(params, prefix + "encoder1", 3, config.c1(), config.c1(), rng);
        encoders[1] = new ConvBlock(params, prefix + "encoder2", config.c1(), config.c2(), config.c2(), rng);
        encoders[2] = new ConvBlock(params, prefix + "encoder3", config.c2(), e[0], e[0], rng);
        layerNorm(prefix + "norm3", e[1]);
        layerNorm(prefix + "norm4", e[2]);
        layerNorm(prefix + "dnorm3", e[1]);
        layerNorm(prefix + "dnorm4", e[0]);
        blocks[0] = new KanBlock(params, prefix + "block1.0", e[1], rng);
        blocks[1] = new KanBlock(params, prefix + "block2.0", e[2], rng);
        decoderBlocks[0] = new KanBlock(params, prefix + "dblock1.0", e[1], rng);
        decoderBlocks[1] = new KanBlock(params, prefix + "dblock2.0", e[0], rng);
        patchEmbed(prefix + "patch_embed3", e[0], e[1], rng);
        patchEmbed(prefix + "patch_embed4", e[1], e[2], rng);
        decoders[0] = new ConvBlock(params, prefix + "decoder1", e[2], e[2], e[1], rng);
        decoders[1] = new ConvBlock(params, prefix + "decoder2", e[1], e[1], e[0], rng);
        decoders[2] = new ConvBlock(params, prefix + "decoder3", e[0], e[0], config.c2(), rng);
        decoders[3] = new ConvBlock(params, prefix + "decoder4", config.c2(), config.c2(), config.c1(), rng);
        decoders[4] = new ConvBlock(params, prefix + "decoder5", config.c1(), config.c1(), config.c1(), rng);
        if (officialHead) ConvBlock.conv(params, prefix + "final", config.c1(), config.numClasses(), 1, rng);
    }

    private void layerNorm(String name, int dim) {
        params.add(name + ".weight", Init.constant(dim, 1f), dim);
        params.add(name + ".bias", Init.constant(dim, 0f), dim);
    }

    /** {@code PatchEmbed(patch_size 3, stride 2)}: conv N(0, 2/fan_out) with fan_out = 9·out, zero bias; LayerNorm 1, 0. */
    private void patchEmbed(String name, int in, int out, Rng rng) {
        float[] w = new float[out * in * 9];
        double std = Math.sqrt(2.0 / (9.0 * out));
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
        params.add(name + ".proj.weight", w, out, in, 3, 3);
        params.add(name + ".proj.bias", Init.constant(out, 0f), out);
        layerNorm(name + ".norm", out);
    }

    public UKanConfig config() {
        return config;
    }

    public boolean hasOfficialHead() {
        return officialHead;
    }

    /** The encoder is the convolutional stages, the patch embeddings, the two KAN blocks and their norms (what {@link #deepest} runs). */
    @Override
    public boolean isEncoderTensor(String name) {
        return name.startsWith("encoder") || name.startsWith("patch_embed") || name.startsWith("block") || name.startsWith("norm");
    }

    @Override
    public int dims() {
        return 2;
    }

    @Override
    public int[] levelChannels() {
        int[] e = config.embedDims();
        return new int[] {config.c1(), config.c1(), config.c2(), e[0], e[1]};
    }

    @Override
    public int deepestChannels() {
        return config.embedDims()[2];
    }

    @Override
    public void train(boolean training) {
        this.training = training;
    }

    @Override
    public List<Tensor> levels(Tensor x) {
        return run(x, null, false).levels;
    }

    /** The official network's output, {@code final} applied to the 1/1 level: raw logits (B, num_classes, H, W). */
    public Tensor logits(Tensor x) {
        if (!officialHead) throw new IllegalStateException("ukan built without its official head: use UKan.withOfficialHead");
        return run(x, null, true).logits;
    }

    /**
     * The whole official forward pass with its stage tensors, keyed as the fixtures key them: {@code out/<module>}
     * (a module's output; tuple outputs as {@code :0}), {@code in/<module>} (its first input, where the official code
     * computes the stage functionally), plus {@code logits} when the head exists.
     */
    public Map<String, Tensor> forwardTrace(Tensor x) {
        Map<String, Tensor> trace = new LinkedHashMap<>();
        Pass p = run(x, trace, officialHead);
        if (p.logits != null) trace.put("logits", p.logits);
        return trace;
    }

    @Override
    public Tensor deepest(Tensor x) {
        Encoded enc = encode(x, null);
        Ops.release(enc.t1, enc.t2, enc.t3, enc.t4);
        return enc.bottleneck;
    }

    /** Records {@code t} under {@code key} when tracing. */
    static void record(Map<String, Tensor> trace, String key, Tensor t) {
        if (trace != null) trace.put(key, t);
    }

    private record Encoded(Tensor t1, Tensor t2, Tensor t3, Tensor t4, Tensor bottleneck) {}

    private record Pass(List<Tensor> levels, Tensor logits) {}

    /** The encoder: the skips t1..t4 and the {@code norm4} output as an image (1/32). */
    private Encoded encode(Tensor x, Map<String, Tensor> trace) {
        Tensor[] pooled = new Tensor[3];
        Tensor in = threeChannels(x);
        for (int i = 0; i < 3; i++) {
            Tensor e = encoders[i].apply(in, training);
            record(trace, "out/encoder" + (i + 1), e);
            Tensor max = Ops.maxPool2(e);
            pooled[i] = Ops.relu(max);
            if (trace == null) Ops.release(e, max, i == 0 && in != x ? in : null);
            in = pooled[i];
        }
        record(trace, "in/encoder2", pooled[0]);
        record(trace, "in/encoder3", pooled[1]);
        record(trace, "in/patch_embed3", pooled[2]);
        Tensor t4 = kanStage(pooled[2], "patch_embed3", blocks[0], "norm3", trace);
        Tensor bottleneck = kanStage(t4, "patch_embed4", blocks[1], "norm4", trace);
        return new Encoded(pooled[0], pooled[1], pooled[2], t4, bottleneck);
    }

    /** Patch embedding (conv stride 2 → tokens → LayerNorm), one KAN block and a LayerNorm, back to an image. */
    private Tensor kanStage(Tensor image, String embed, KanBlock block, String norm, Map<String, Tensor> trace) {
        Tensor conv = Tokens.conv3x3(params, prefix + embed + ".proj", image, 2, 1);
        long h = conv.size(2);
        long w = conv.size(3);
        Tensor tokens = Tokens.layerNorm(params, prefix + embed + ".norm", Tokens.fromImage(conv));
        record(trace, "out/" + embed + ":0", tokens);
        Tensor mixed = block.apply(tokens, h, w, training, trace);
        Tensor normed = Tokens.layerNorm(params, prefix + norm, mixed);
        record(trace, "out/" + norm, normed);
        if (trace == null) Ops.release(conv, tokens, mixed);
        return Tokens.toImage(normed, h, w);
    }

    private Pass run(Tensor x, Map<String, Tensor> trace, boolean head) {
        Encoded enc = encode(x, trace);
        Tensor[] skips = {enc.t4, enc.t3, enc.t2, enc.t1};
        Tensor out = enc.bottleneck;
        Tensor[] levels = new Tensor[5];
        for (int i = 0; i < 5; i++) {
            Tensor decoded = decoders[i].apply(out, training);
            record(trace, "out/decoder" + (i + 1), decoded);
            Tensor up = Ops.upsample2x(decoded, false);
            Tensor activated = Ops.relu(up);
            Tensor next = i < 4 ? activated.add(skips[i]) : activated;
            if (i < 2) {
                // The KAN decoder stages: tokens → block → LayerNorm → image.
                long h = next.size(2);
                long w = next.size(3);
                String block = "dblock" + (i + 1) + ".0";
                String norm = i == 0 ? "dnorm3" : "dnorm4";
                Tensor tokens = Tokens.fromImage(next);
                record(trace, "in/" + block, tokens);
                Tensor mixed = decoderBlocks[i].apply(tokens, h, w, training, trace);
                Tensor normed = Tokens.layerNorm(params, prefix + norm, mixed);
                record(trace, "out/" + norm, normed);
                if (trace == null) Ops.release(next, tokens, mixed);
                next = Tokens.toImage(normed, h, w);
            } else {
                record(trace, i < 4 ? "in/decoder" + (i + 2) : "in/final", next);
            }
            // The wrappers nothing reads again (autograd keeps what backward needs); `out` is a level from i = 1 on.
            if (trace == null) Ops.release(i == 0 ? out : null, decoded, up, next == activated ? null : activated, i < 4 ? skips[i] : null);
            levels[4 - i] = next;
            out = next;
        }
        Tensor logits = null;
        if (head) logits = Ops.conv(levels[0], params.get(prefix + "final.weight"), params.get(prefix + "final.bias"));
        return new Pass(List.of(levels), logits);
    }

    /** The 3-channel input the official first conv takes: a 1-channel image repeated, as the caller must in the original. */
    private Tensor threeChannels(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("ukan: expected a (B, C, H, W) input, got " + x.dim() + "-D");
        if (x.size(1) != inChannels) {
            throw new IllegalArgumentException("ukan built for " + inChannels + "-channel images, got " + x.size(1) + " channels");
        }
        config.checkInput(new int[] {(int) x.size(2), (int) x.size(3)});
        Tensor cl = Ops.channelsLast(x);
        return inChannels == 3 ? cl : cl.repeat(1, 3, 1, 1);
    }

    /**
     * Every KANLinear {@code grid} must hold the uniform knots the official constructor computes (efficient-KAN's
     * {@code update_grid}, which would move them, is never called by Seg_UKAN): a file with other knots would change
     * the network silently.
     */
    @Override
    public void checkLoaded(String source) {
        for (String name : params.names()) {
            if (!name.startsWith(prefix) || !name.endsWith(".grid")) continue;
            Tensor grid = params.get(name);
            float[] expected = KanLinear.grid((int) grid.size(0));
            float[] actual = Tensors.toArray(grid);
            if (!Arrays.equals(expected, actual)) {
                throw new CoverException(source + ": " + name + " is not U-KAN's uniform spline grid "
                        + Arrays.toString(Arrays.copyOf(expected, KanLinear.KNOTS)) + " (got a row starting "
                        + Arrays.toString(Arrays.copyOf(actual, Math.min(4, actual.length))) + "...)");
            }
        }
    }

    /**
     * Loads an official U-KAN {@code state_dict} (exported to .npz or .safetensors, read by {@link StateDicts};
     * DataParallel's {@code module.} is removed) strictly into this network's tensors under its prefix, then checks the
     * grids. {@code num_batches_tracked} may be stored as a 0-d or a one-element array. A network built without the
     * official head skips the file's {@code final.*} (a task-specific head); one built with it requires them. Every
     * missing, unexpected or misshapen key is named in one line.
     */
    @Override
    public void importOfficial(StateDicts.StateDict sd) {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : sd.values().entrySet()) {
            String key = e.getKey().startsWith("module.") ? e.getKey().substring("module.".length()) : e.getKey();
            if (!officialHead && key.startsWith("final.")) continue;
            long[] shape = sd.shapes().get(e.getKey());
            if (key.endsWith(".num_batches_tracked") && shape.length == 1 && shape[0] == 1) shape = new long[0];
            values.put(prefix + key, e.getValue());
            shapes.put(prefix + key, shape);
        }
        String source = String.valueOf(sd.file());
        List<String> missing = new ArrayList<>();
        for (String name : params.names()) {
            if (name.startsWith(prefix) && !values.containsKey(name)) missing.add(name.substring(prefix.length()));
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : values.keySet()) {
            if (!params.has(name)) unexpected.add(name.substring(prefix.length()));
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new CoverException(source + ": not an official U-KAN state_dict for " + config + " ("
                    + listed("missing", missing) + (missing.isEmpty() || unexpected.isEmpty() ? "" : "; ")
                    + listed("unexpected", unexpected) + ")");
        }
        // Every name now matches; this load checks the shapes (and leaves tensors outside this network alone).
        params.load(values, shapes, source, false);
        checkLoaded(source);
    }

    /** "what a, b, c and N more", or nothing for no names. */
    private static String listed(String what, List<String> names) {
        if (names.isEmpty()) return "";
        int shown = Math.min(3, names.size());
        String more = names.size() > shown ? " and " + (names.size() - shown) + " more" : "";
        return what + " " + String.join(", ", names.subList(0, shown)) + more;
    }
}

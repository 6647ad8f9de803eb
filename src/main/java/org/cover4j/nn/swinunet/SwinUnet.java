package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.Backbone;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Swin-Unet ({@code SwinTransformerSys} of HuCaoFighting/Swin-Unet, commit f48f623): a Swin Transformer encoder of 4
 * stages (patch embedding 4×4, shifted-window blocks, patch merging), a mirrored decoder (patch expansion, skips
 * concatenated decoder-first and reduced by {@code concat_back_dim}), and a final ×4 patch expansion. Every tensor is
 * registered under {@code prefix +} its official {@code state_dict} key, in the official order, with the official
 * shapes; the fixed buffers ({@code relative_position_index}, {@code attn_mask}) are stored as floats.
 *
 * <p><b>Levels</b> (finest first, (B, C, H, W)): 1/1 = the output of {@code up} (C channels, what the official 1×1
 * head reads); 1/2 = that output averaged over 2×2 pixels — Swin-Unet has no 1/2 stage, and the area mean keeps the
 * sub-token detail that {@code up}'s learned ×4 expansion puts inside each 4×4 patch (an upsampled 1/4 map would
 * carry none) and trains the same tensors; 1/4 = {@code norm_up} (C); 1/8 = the output of {@code layers_up.2}'s
 * blocks, before its patch expansion (2C); 1/16 = the output of {@code layers_up.1}'s blocks (4C). The deepest
 * features are {@code norm}'s output (8C at 1/32), from the encoder alone.
 *
 * <p><b>Input channels</b>: a config with {@code inChans} equal to the data's channels takes them as they are; a
 * 3-channel config fed 1-channel images repeats them to 3 inside the forward pass, as the official wrapper
 * {@code SwinUnet} does ({@code x.repeat(1,3,1,1)}). The network has no BatchNorm and no active dropout, so
 * {@link #train} changes nothing; drop-path is not implemented (rate 0).
 */
public final class SwinUnet implements Backbone {
    private final Params params;
    private final String prefix;
    private final SwinUnetConfig config;
    private final int inChannels;
    private final Tensor embedWeight;
    private final Tensor embedBias;
    private final Norm embedNorm;
    private final List<List<SwinBlock>> encoder = new ArrayList<>();
    private final List<PatchMerging> merging = new ArrayList<>();
    private final PatchExpand bottleneckExpand;
    private final List<List<SwinBlock>> decoder = new ArrayList<>();
    private final List<PatchExpand> expanding = new ArrayList<>();
    private final List<Affine> concatBack = new ArrayList<>();
    private final Norm norm;
    private final Norm normUp;
    private final PatchExpand finalExpand;
    private final Tensor outputWeight;

    /** The backbone without the official head (what cover4j trains: its heads read {@link #levels}). */
    public SwinUnet(Params params, String prefix, SwinUnetConfig config, int inChannels, Rng rng) {
        this(params, prefix, config, inChannels, 0, rng);
    }

    /**
     * The backbone with the official segmentation head {@code output} (1×1 conv, no bias) for {@code numClasses}
     * classes, so that a full official state_dict loads strictly and {@link #logits} runs the official forward.
     */
    public static SwinUnet withOfficialHead(Params params, String prefix, SwinUnetConfig config, int inChannels, int numClasses, Rng rng) {
        if (numClasses < 1) throw CoverException.usage("--classes must be at least 1, got " + numClasses);
        return new SwinUnet(params, prefix, config, inChannels, numClasses, rng);
    }

    private SwinUnet(Params params, String prefix, SwinUnetConfig config, int inChannels, int numClasses, Rng rng) {
        if (inChannels != config.inChans() && !(inChannels == 1 && config.inChans() == 3)) {
            throw CoverException.usage("swinunet with " + config.inChans() + " input channels cannot take " + inChannels
                    + "-channel images (only equal counts, or 1-channel images repeated to 3)");
        }
        this.params = params;
        this.prefix = prefix;
        this.config = config;
        this.inChannels = inChannels;
        int c = config.embedDim();
        int in = config.inChans();
        int p = SwinUnetConfig.PATCH;
        // Conv2d's default init (kaiming_uniform a=√5 and its bias bound): U(±1/√fan_in); the official _init_weights
        // re-initialises only Linear and LayerNorm layers.
        long fanIn = (long) in * p * p;
        embedWeight = params.add(prefix + "patch_embed.proj.weight", Init.uniformFanIn(rng, c * in * p * p, fanIn), c, in, p, p);
        embedBias = params.add(prefix + "patch_embed.proj.bias", Init.uniformFanIn(rng, c, fanIn), c);
        embedNorm = Norm.register(params, prefix + "patch_embed.norm", c);
        for (int stage = 0; stage < SwinUnetConfig.STAGES; stage++) {
            encoder.add(blocks(params, prefix + "layers." + stage, stage, rng));
            if (stage < SwinUnetConfig.STAGES - 1) {
                merging.add(new PatchMerging(params, prefix + "layers." + stage + ".downsample", config.dim(stage), config.resolution(stage), rng));
            }
        }
        int deepest = SwinUnetConfig.STAGES - 1;
        bottleneckExpand = new PatchExpand(params, prefix + "layers_up.0", config.dim(deepest), config.resolution(deepest), 2, rng);
        for (int i = 1; i < SwinUnetConfig.STAGES; i++) {
            int stage = deepest - i;
            decoder.add(blocks(params, prefix + "layers_up." + i, stage, rng));
            if (i < SwinUnetConfig.STAGES - 1) {
                expanding.add(new PatchExpand(params, prefix + "layers_up." + i + ".upsample", config.dim(stage), config.resolution(stage), 2, rng));
            }
        }
        for (int i = 1; i < SwinUnetConfig.STAGES; i++) {
            int dim = config.dim(deepest - i);
            concatBack.add(Affine.register(params, prefix + "concat_back_dim." + i, 2 * dim, dim, true, rng));
        }
        norm = Norm.register(params, prefix + "norm", config.dim(deepest));
        normUp = Norm.register(params, prefix + "norm_up", c);
        finalExpand = new PatchExpand(params, prefix + "up", c, config.resolution(0), 4, rng);
        outputWeight = numClasses > 0
                ? params.add(prefix + "output.weight", Init.uniformFanIn(rng, numClasses * c, c), numClasses, c, 1, 1)
                : null;
    }

    /** The blocks of one stage (encoder {@code layers.i} or decoder {@code layers_up.i}, which mirrors stage 3 − i). */
    private List<SwinBlock> blocks(Params params, String layer, int stage, Rng rng) {
        List<SwinBlock> out = new ArrayList<>();
        for (int j = 0; j < config.depths()[stage]; j++) {
            out.add(new SwinBlock(params, layer + ".blocks." + j, config.dim(stage), config.resolution(stage), config.numHeads()[stage],
                    config.window(stage), config.shift(stage, j), config.mlpHidden(stage), config.qkvBias(), rng));
        }
        return out;
    }

    public SwinUnetConfig config() {
        return config;
    }

    /** The encoder: patch embedding, the four encoder stages and their final norm (what {@link #deepest} runs). */
    @Override
    public boolean isEncoderTensor(String name) {
        return name.startsWith("patch_embed.") || name.startsWith("layers.") || name.startsWith("norm.");
    }

    @Override
    public int dims() {
        return 2;
    }

    @Override
    public int[] levelChannels() {
        int c = config.embedDim();
        return new int[] {c, c, c, 2 * c, 4 * c};
    }

    @Override
    public int deepestChannels() {
        return config.dim(SwinUnetConfig.STAGES - 1);
    }

    @Override
    public List<Tensor> levels(Tensor x) {
        return forward(x, null);
    }

    @Override
    public Tensor deepest(Tensor x) {
        Tensor[] skips = new Tensor[SwinUnetConfig.STAGES];
        return image(encode(x, skips, null), SwinUnetConfig.STAGES + 1);
    }

    /** The official network's output: the head {@code output} on the 1/1 level (needs {@link #withOfficialHead}). */
    public Tensor logits(Tensor x) {
        if (outputWeight == null) throw new IllegalStateException("logits need the official head: build with SwinUnet.withOfficialHead");
        return head(forward(x, null).get(0));
    }

    /**
     * The official forward to the logits (when the head exists), recording every stage tensor under its fixture key
     * ({@code out/<module path>}, tokens as (B, L, C)); also the five levels under {@code level/0..4}.
     */
    public Map<String, Tensor> forwardTrace(Tensor x) {
        Map<String, Tensor> trace = new java.util.LinkedHashMap<>();
        List<Tensor> levels = forward(x, trace);
        for (int i = 0; i < levels.size(); i++) trace.put("level/" + i, levels.get(i));
        if (outputWeight != null) trace.put("logits", head(levels.get(0)));
        return trace;
    }

    /**
     * Loads a state_dict saved by the official code (keys optionally under {@code swin_unet.} / {@code module.swin_unet.}),
     * strictly: names and shapes must match this configuration; the official head is skipped when this model has none.
     * The fixed buffers are then checked ({@link #checkLoaded}).
     */
    @Override
    public void importOfficial(StateDicts.StateDict sd) {
        OfficialWeights.load(sd, params, prefix, outputWeight != null);
        checkLoaded(sd.file() == null ? "official weights" : sd.file().toString());
    }

    /** Checks the fixed buffers of every block (index tables, masks) after a load. */
    @Override
    public void checkLoaded(String source) {
        for (List<SwinBlock> stage : encoder) for (SwinBlock b : stage) b.checkLoaded(source);
        for (List<SwinBlock> stage : decoder) for (SwinBlock b : stage) b.checkLoaded(source);
    }

    /** The full forward pass to the five levels, recording the stage tensors in {@code trace} when given. */
    private List<Tensor> forward(Tensor x, Map<String, Tensor> trace) {
        Tensor[] skips = new Tensor[SwinUnetConfig.STAGES];
        Tensor y = bottleneckExpand.forward(encode(x, skips, trace));
        record(trace, "layers_up.0", y);
        Tensor[] decoded = new Tensor[SwinUnetConfig.STAGES];
        for (int i = 1; i < SwinUnetConfig.STAGES; i++) {
            String layer = "layers_up." + i;
            y = concatBack.get(i - 1).apply(Ops.cat(-1, y, skips[SwinUnetConfig.STAGES - 1 - i]));
            record(trace, "concat_back_dim." + i, y);
            y = runBlocks(decoder.get(i - 1), y, layer, trace);
            decoded[i] = y;
            if (i < SwinUnetConfig.STAGES - 1) y = expanding.get(i - 1).forward(y);
            record(trace, layer, y);
        }
        Tensor top = normUp.apply(y);
        record(trace, "norm_up", top);
        Tensor full = finalExpand.forward(top);
        record(trace, "up", full);
        Tensor level1 = image(full, 0);
        return List.of(level1, Ops.avgPool(level1, 2), image(top, 2), image(decoded[2], 3), image(decoded[1], 4));
    }

    /** Patch embedding and the four encoder stages; fills {@code skips} with each stage's input; returns {@code norm}'s output. */
    private Tensor encode(Tensor x, Tensor[] skips, Map<String, Tensor> trace) {
        config.checkInput(new int[] {(int) x.size(2), (int) x.size(3)});
        Tensor input = inChannels == 1 && config.inChans() == 3 ? x.repeat(1, 3, 1, 1) : x;
        Tensor embedded = Ops.conv2d(input, embedWeight, embedBias, SwinUnetConfig.PATCH, 0, 1);
        Tensor y = embedNorm.apply(embedded.flatten(2, 3).transpose(1, 2));
        record(trace, "patch_embed", y);
        for (int stage = 0; stage < SwinUnetConfig.STAGES; stage++) {
            skips[stage] = y;
            String layer = "layers." + stage;
            y = runBlocks(encoder.get(stage), y, layer, trace);
            if (stage < SwinUnetConfig.STAGES - 1) y = merging.get(stage).forward(y);
            record(trace, layer, y);
        }
        Tensor out = norm.apply(y);
        record(trace, "norm", out);
        return out;
    }

    private static Tensor runBlocks(List<SwinBlock> blocks, Tensor x, String layer, Map<String, Tensor> trace) {
        Tensor y = x;
        for (int j = 0; j < blocks.size(); j++) {
            y = blocks.get(j).forward(y);
            record(trace, layer + ".blocks." + j, y);
        }
        return y;
    }

    /** Tokens (B, L, C) of the map at 1/2^{@code log2Scale} of the input as (B, C, H, W) (a channels-last view, no copy). */
    private Tensor image(Tensor tokens, int log2Scale) {
        long side = config.imgSize() >> log2Scale;
        return tokens.view(tokens.size(0), side, side, tokens.size(2)).permute(0, 3, 1, 2);
    }

    private Tensor head(Tensor level1) {
        return Ops.conv(level1, outputWeight, null);
    }

    private static void record(Map<String, Tensor> trace, String key, Tensor t) {
        if (trace != null) trace.put("out/" + key, t);
    }
}

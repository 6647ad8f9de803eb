package org.cover4j.nn.transunet;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.Backbone;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TransUNet (Chen et al. 2021), the R50-ViT hybrid of {@code Beckschen/TransUNet} ({@code networks/vit_seg_modeling.py:
 * VisionTransformer}), 2D: a ResNetV2 (StdConv, GroupNorm) whose 1/16 map a ViT encodes as tokens, and a cascaded
 * upsampler (DecoderCup) with the ResNet's 1/8, 1/4 and 1/2 maps as skips. Every tensor sits under {@code prefix} +
 * its official {@code state_dict} key, in the official order (see {@link TransUNetConfig} for the sizes).
 *
 * <p><b>Levels</b> (finest first): {@code decoder.blocks.3} (1/1), {@code blocks.2} (1/2), {@code blocks.1} (1/4),
 * {@code blocks.0} (1/8) and {@code conv_more} (1/16, 512 channels): the decoder's own stages, so that every level
 * depends on the whole encoder and on the decoder up to it. {@link #deepest} is the transformer's output after
 * {@code encoder_norm}, as (B, hidden, H/16, W/16), running no decoder.
 *
 * <p><b>Input</b>: (B, 1, H, W) or (B, 3, H, W) with H = W = the configured image size (the position embeddings fix
 * it) a multiple of 16. A 1-channel image is repeated to 3 channels inside the forward pass, as the official
 * {@code forward} does ({@code x.repeat(1,3,1,1)}); the root conv always has 3 input channels, so official weights
 * load unchanged.
 *
 * <p><b>Modes</b>: training (the default, as a new PyTorch module) uses batch statistics in the decoder's BatchNorm
 * layers and updates their running statistics, and applies dropout; evaluation uses the running statistics and no
 * dropout. Dropout masks come from a stream of the constructor's generator ({@link Dropout}).
 *
 * <p>The official segmentation head ({@code segmentation_head.0}, a 3×3 conv with bias) exists only in a network
 * built by {@link #withOfficialHead}, for parity with the original and for loading its checkpoints strictly; cover4j's
 * methods and downstream heads work on {@link #levels}.
 */
public final class TransUNet implements Backbone {
    /** The name a checkpoint's backbone record uses. */
    public static final String NAME = "transunet";
    private static final String HEAD = "segmentation_head.";
    /** Sub-stream of the constructor's generator for dropout masks (weights take the generator's own draws). */
    private static final long DROPOUT_STREAM = 0x7A25_0D80L;

    private final Params params;
    private final String prefix;
    private final TransUNetConfig config;
    private final boolean officialHead;
    private final Transformer transformer;
    private final DecoderCup decoder;
    private final Dropout dropout;
    /** This network's tensor names in {@code params} (with the prefix), in state_dict order. */
    private final List<String> names;
    private boolean training = true;

    /**
     * Registers every tensor of the official state_dict (without the segmentation head) in {@code params} under
     * {@code prefix}, initialised as the official constructor does, drawn from {@code rng}.
     */
    public TransUNet(Params params, String prefix, TransUNetConfig config, int inChannels, Rng rng) {
        this(params, prefix, config, inChannels, rng, false);
    }

    /** As the constructor, with the official {@code segmentation_head.0} (config.nClasses() outputs) registered last. */
    public static TransUNet withOfficialHead(Params params, String prefix, TransUNetConfig config, int inChannels, Rng rng) {
        return new TransUNet(params, prefix, config, inChannels, rng, true);
    }

    private TransUNet(Params params, String prefix, TransUNetConfig config, int inChannels, Rng rng, boolean officialHead) {
        if (inChannels != 1 && inChannels != 3) {
            throw CoverException.usage("transunet takes 1- or 3-channel images (a 1-channel image is repeated to 3), got " + inChannels + " channels");
        }
        this.params = params;
        this.prefix = prefix;
        this.config = config;
        this.officialHead = officialHead;
        int before = params.names().size();
        transformer = new Transformer(params, prefix + "transformer.", config, rng);
        decoder = new DecoderCup(params, prefix + "decoder.", config, rng);
        if (officialHead) {
            int in = config.decoderChannels()[3];
            Layers.defaultWeight(params, prefix + HEAD + "0.weight", rng, config.nClasses(), in, 3, 3);
            Layers.defaultBias(params, prefix + HEAD + "0.bias", rng, config.nClasses(), 9L * in);
        }
        List<String> all = params.names();
        names = List.copyOf(all.subList(before, all.size()));
        dropout = new Dropout(rng.derive(DROPOUT_STREAM));
    }

    public TransUNetConfig config() {
        return config;
    }

    /** The encoder is the hybrid ResNet and the transformer ({@code transformer.*}); the decoder is {@code decoder.*}. */
    @Override
    public boolean isEncoderTensor(String name) {
        return name.startsWith("transformer.");
    }

    @Override
    public int dims() {
        return 2;
    }

    @Override
    public void train(boolean training) {
        this.training = training;
    }

    @Override
    public int[] levelChannels() {
        int[] d = config.decoderChannels();
        return new int[] {d[3], d[2], d[1], d[0], TransUNetConfig.HEAD_CHANNELS};
    }

    @Override
    public int deepestChannels() {
        return config.hidden();
    }

    @Override
    public List<Tensor> levels(Tensor x) {
        return levels(x, null);
    }

    /**
     * As {@link #levels(Tensor)}; records the stage tensors under the fixture's keys ({@code out/<module path>},
     * {@code in/<module path>}, {@code :i} for a tuple element) when {@code trace} is given.
     */
    public List<Tensor> levels(Tensor x, Map<String, Tensor> trace) {
        Transformer.Encoded encoded = transformer.forward(input(x), training, dropout, trace);
        List<Tensor> maps = decoder.forward(encoded, training, trace);
        return List.of(maps.get(4), maps.get(3), maps.get(2), maps.get(1), maps.get(0));
    }

    /** The encoder's output after {@code encoder_norm} as (B, hidden, H/16, W/16); runs no decoder. */
    @Override
    public Tensor deepest(Tensor x) {
        Tensor tokens = transformer.forward(input(x), training, dropout, null).tokens();
        int side = config.grid();
        Tensor map = tokens.permute(0, 2, 1).contiguous().view(tokens.size(0), config.hidden(), side, side);
        Ops.release(tokens);
        return map;
    }

    /** The official network's output: the segmentation head on the finest level. Needs {@link #withOfficialHead}. */
    public Tensor logits(Tensor x) {
        return head(levels(x).get(0));
    }

    /** Every stage tensor of one forward pass under the fixture's keys, and {@code logits} (needs the official head). */
    public Map<String, Tensor> forwardTrace(Tensor x) {
        Map<String, Tensor> trace = new LinkedHashMap<>();
        trace.put("logits", head(levels(x, trace).get(0)));
        return trace;
    }

    private Tensor head(Tensor finest) {
        if (!officialHead) throw new IllegalStateException("this TransUNet has no official segmentation head (build it withOfficialHead)");
        return Ops.conv(finest, params.get(prefix + HEAD + "0.weight"), params.get(prefix + HEAD + "0.bias"));
    }

    /** Checks size and channels, repeats a 1-channel image to 3 (the official forward) and goes channels-last. */
    private Tensor input(Tensor x) {
        if (x.dim() != 4) throw CoverException.usage("transunet is 2D: expected a (B, C, H, W) input, got " + x.dim() + " dimensions");
        config.checkInput(new int[] {(int) x.size(2), (int) x.size(3)});
        long c = x.size(1);
        if (c != 1 && c != 3) throw CoverException.usage("transunet takes 1- or 3-channel images, got " + c + " channels");
        return Ops.channelsLast(c == 1 ? x.repeat(1, 3, 1, 1) : x);
    }

    /**
     * Loads an official TransUNet state_dict ({@code VisionTransformer.state_dict()}, exported to .npz or
     * .safetensors; {@link StateDicts} already drops a {@code module.} prefix) strictly: every tensor of this network
     * must be there with its shape and nothing else may be, except the official {@code segmentation_head.*}, which a
     * network without that head ignores. One line naming the file and the first mismatches otherwise.
     */
    @Override
    public void importOfficial(StateDicts.StateDict sd) {
        loadOfficial(sd);
    }

    /** As {@link #importOfficial}. */
    public void loadOfficial(StateDicts.StateDict sd) {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        java.util.Set<String> mine = new java.util.HashSet<>(names);
        for (Map.Entry<String, float[]> e : sd.values().entrySet()) {
            String key = e.getKey().startsWith("module.") ? e.getKey().substring("module.".length()) : e.getKey();
            if (!officialHead && key.startsWith(HEAD)) continue;
            if (!mine.contains(prefix + key)) {
                unexpected.add(key);
                continue;
            }
            long[] shape = sd.shapes().get(e.getKey());
            // A BatchNorm counter is a 0-d tensor in PyTorch; exports that cannot hold 0-d arrays store it as (1).
            if (key.endsWith(".num_batches_tracked") && Arrays.equals(shape, new long[] {1})) shape = new long[0];
            values.put(prefix + key, e.getValue());
            shapes.put(prefix + key, shape);
        }
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            String key = name.substring(prefix.length());
            if (!values.containsKey(name)) {
                missing.add(key);
            } else if (!Arrays.equals(shapes.get(name), params.shape(name))) {
                problems.add(key + " has shape " + Arrays.toString(shapes.get(name)) + ", expected " + Arrays.toString(params.shape(name)));
            }
        }
        if (!missing.isEmpty()) problems.add(0, "missing " + firstFew(missing));
        if (!unexpected.isEmpty()) problems.add("unexpected " + firstFew(unexpected));
        if (!problems.isEmpty()) {
            String hint = officialHead || unexpected.isEmpty() ? "" : "; is it another network or size?";
            throw CoverException.file(sd.file(), "does not fit " + config + " (" + firstFew(problems) + hint + ")");
        }
        params.load(values, shapes, String.valueOf(sd.file()), false);
    }

    private static String firstFew(List<String> items) {
        int shown = Math.min(3, items.size());
        String head = String.join(", ", items.subList(0, shown));
        return items.size() > shown ? head + " and " + (items.size() - shown) + " more" : head;
    }
}

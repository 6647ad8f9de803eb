package org.cover4j.downstream;

import org.cover4j.io.StateDicts;
import org.cover4j.nn.Params;
import org.cover4j.util.CoverException;

import java.nio.file.Path;
import org.cover4j.io.SafeTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --init}: the {@code backbone.*} tensors of a pre-trained network, from a cover4j pre-training run folder
 * or checkpoint ({@code last.safetensors} / {@code last.json}), a fine-tuned model folder, or a reference PyTorch
 * state dict exported as {@code .npz} or {@code .safetensors} (a DataParallel {@code module.} prefix is removed).
 * The U-Net's architecture is read from the tensor shapes, so the checkpoint itself says what it holds.
 */
public final class BackboneWeights {
    private BackboneWeights() {}

    /** The U-Net architecture a set of backbone tensors implies. */
    public record Arch(int dims, int inChannels, int[] channels) {
        @Override
        public String toString() {
            return dims + "D, " + inChannels + " input channel(s), channels " + Arrays.toString(channels);
        }
    }

    /**
     * What {@code --init} found in a file: the backbone's tensors, the names of the others (a method's heads, projections,
     * EMA target: not used downstream), and the pre-training method that wrote it (null when the file does not say:
     * a fine-tuned model or a reference state dict).
     */
    public record Found(StateDicts.StateDict backbone, List<String> skipped, String method, org.cover4j.nn.BackboneSpec spec, Integer inputSize) {
        /** Whether these are the official code's weights under its own names (imported by the backbone itself). */
        public boolean official() {
            return method != null && method.startsWith("the official ");
        }

        /** One line for the log: where the weights come from and what is taken. */
        public String summary(Path given) {
            return summary(given, List.of());
        }

        /** As {@link #summary(Path)}, when the backbone tensors {@code keptFresh} were not loaded ({@code --init-scope encoder}). */
        public String summary(Path given, List<String> keptFresh) {
            java.util.Set<String> fresh = new java.util.HashSet<>(keptFresh);
            long loaded = backbone.values().keySet().stream().filter(k -> !fresh.contains(k)).count();
            long values = backbone.values().entrySet().stream().filter(e -> !fresh.contains(e.getKey())).mapToLong(e -> e.getValue().length).sum();
            return String.format(java.util.Locale.ROOT, "--init %s: %s, %d backbone tensors loaded (%,d values)%s, %d other tensors skipped%s",
                    given, method != null ? "pre-trained with " + method : "weights of unrecorded origin (a fine-tuned model or a state dict)",
                    loaded, values, keptFresh.isEmpty() ? "" : " into the encoder, " + keptFresh.size()
                            + " decoder tensors left at their fresh initialisation (--init-scope encoder)",
                    skipped.size(), skipped.isEmpty() ? "" : " (" + prefixes(skipped) + ")");
        }
    }

    /** Reads the backbone tensors of {@code path}; an error names the file when there are none. */
    public static StateDicts.StateDict read(Path path) {
        return find(path, "--init").backbone();
    }

    /** As {@link #read(Path)}; a missing file or a folder without checkpoints is reported against {@code flag}. */
    public static StateDicts.StateDict read(Path path, String flag) {
        return find(path, flag).backbone();
    }

    /**
     * Reads {@code path} and sorts its tensors into the backbone's and the rest; an error names the file when it has no
     * backbone, and a missing file or a folder without checkpoints is reported against {@code flag}.
     */
    public static Found find(Path path, String flag) {
        return find(path, flag, null);
    }

    /**
     * As {@link #find(Path, String)}; a file without {@code backbone.*} tensors is taken whole as the official weights
     * of {@code requested} when that is a backbone other than the U-Net ({@link Found#official()}).
     */
    public static Found find(Path path, String flag, org.cover4j.nn.BackboneSpec requested) {
        StateDicts.StateDict sd = StateDicts.read(path, flag);
        if (requested != null && !requested.kind().isUnet() && sd.values().keySet().stream().noneMatch(k -> k.startsWith(DownstreamNet.BACKBONE_PREFIX))) {
            return new Found(sd, List.of(), "the official " + requested.name() + " code", requested, null);
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        sd.values().forEach((k, v) -> {
            if (!k.startsWith(DownstreamNet.BACKBONE_PREFIX)) {
                skipped.add(k);
                return;
            }
            values.put(k, v);
            shapes.put(k, sd.shapes().get(k));
        });
        if (values.isEmpty()) {
            throw CoverException.file(sd.file(), "holds no backbone.* tensors, so nothing would be loaded into the network (every "
                    + "cover4j pre-training method and the reference COVER model name their backbone 'backbone.')");
        }
        String method = null;
        org.cover4j.nn.BackboneSpec spec = null;
        Integer inputSize = null;
        if (sd.file().getFileName().toString().endsWith(".safetensors")) {
            Map<String, String> meta = SafeTensors.readHeader(sd.file()).metadata();
            method = meta.get("method");
            spec = recordedSpec(meta.get("backbone"), sd.file());
            try {
                if (meta.get("input_size") != null) inputSize = Integer.valueOf(meta.get("input_size"));
            } catch (NumberFormatException e) {
                throw CoverException.file(sd.file(), "metadata input_size is not a number: " + meta.get("input_size"));
            }
        }
        return new Found(new StateDicts.StateDict(values, shapes, sd.file()), skipped, method, spec, inputSize);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The backbone a cover4j checkpoint records in its metadata (null when it records none: files before backbones). */
    private static org.cover4j.nn.BackboneSpec recordedSpec(String json, Path file) {
        if (json == null) return null;
        try {
            return JSON.readValue(json, org.cover4j.nn.BackboneSpec.class);
        } catch (java.io.IOException | RuntimeException e) {
            Throwable cause = e.getCause() instanceof CoverException c ? c : e;
            throw CoverException.file(file, "metadata 'backbone' is not a valid backbone description (" + cause.getMessage() + ")");
        }
    }

    /** The distinct name prefixes (up to the first dot) of {@code names}, e.g. {@code proj.*, mov.*}. */
    static String prefixes(List<String> names) {
        return String.join(", ", names.stream().map(n -> (n.contains(".") ? n.substring(0, n.indexOf('.')) : n) + ".*").distinct().toList());
    }

    /** The architecture implied by the tensor shapes; an error naming {@code source} when they are not a U-Net's. */
    public static Arch architecture(StateDicts.StateDict w, Path source) {
        long[] inc = shape(w, "inc.double_conv.0.weight", source);
        int dims = inc.length - 2;
        if (dims != 2 && dims != 3) {
            throw CoverException.file(source, "backbone.inc.double_conv.0.weight has shape " + Arrays.toString(inc) + ", not a 2D or 3D convolution");
        }
        int[] ch = new int[9];
        ch[0] = (int) inc[0];
        for (int i = 1; i <= 4; i++) ch[i] = (int) shape(w, "down" + i + ".maxpool_conv.1.double_conv.0.weight", source)[0];
        for (int i = 1; i <= 4; i++) ch[4 + i] = (int) shape(w, "up" + i + ".conv.double_conv.0.weight", source)[0];
        return new Arch(dims, (int) inc[1], ch);
    }

    private static long[] shape(StateDicts.StateDict w, String name, Path source) {
        long[] s = w.shapes().get(DownstreamNet.BACKBONE_PREFIX + name);
        if (s == null) throw CoverException.file(source, "not a U-Net backbone: backbone." + name + " is missing");
        return s;
    }

    /** Loads the tensors into a backbone; names and shapes must match exactly (every mismatch is listed). */
    public static void load(Params backbone, StateDicts.StateDict w, Path source) {
        load(backbone, w, source, "--init");
    }

    /** As {@link #load(Params, StateDicts.StateDict, Path)}; mismatches are reported against {@code flag}. */
    public static void load(Params backbone, StateDicts.StateDict w, Path source, String flag) {
        backbone.load(w.values(), w.shapes(), flag + " " + source);
    }
}

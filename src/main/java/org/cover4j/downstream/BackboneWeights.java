package org.cover4j.downstream;

import org.cover4j.io.NpyArray;
import org.cover4j.io.Npz;
import org.cover4j.nn.Params;
import org.cover4j.util.CoverException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

    /** Reads the backbone tensors of {@code path}; an error names the file when there are none. */
    public static ModelFiles.Weights read(Path path) {
        Path file = resolve(path);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".npz")) {
            for (Map.Entry<String, NpyArray> e : Npz.read(file).entrySet()) {
                keep(e.getKey(), e.getValue().floats(), e.getValue().shape(), values, shapes);
            }
        } else if (name.endsWith(".safetensors")) {
            ModelFiles.Weights w = ModelFiles.readWeights(file);
            w.values().forEach((k, v) -> keep(k, v, w.shapes().get(k), values, shapes));
        } else if (name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".tar")) {
            throw CoverException.file(file, "PyTorch pickles are not read (they can run code); export with "
                    + "np.savez('sd.npz', **{k: v.numpy() for k, v in sd.items()}) or safetensors");
        } else {
            throw CoverException.file(file, "unknown weights format (expected a run folder, .json, .safetensors or .npz)");
        }
        if (values.isEmpty()) {
            throw CoverException.file(file, "holds no backbone.* tensors (a COVER U-Net's state dict names its backbone 'backbone.')");
        }
        return new ModelFiles.Weights(values, shapes);
    }

    private static void keep(String key, float[] v, long[] shape, Map<String, float[]> values, Map<String, long[]> shapes) {
        String k = key.startsWith("module.") ? key.substring("module.".length()) : key;
        if (!k.startsWith(DownstreamNet.BACKBONE_PREFIX)) return;
        values.put(k, v);
        shapes.put(k, shape);
    }

    /** The weights file meant by {@code path}: a file as given, or the newest checkpoint of a run folder. */
    static Path resolve(Path path) {
        if (Files.isDirectory(path)) {
            for (String c : new String[] {"checkpoints/last.safetensors", "last.safetensors", ModelFiles.BEST}) {
                if (Files.isRegularFile(path.resolve(c))) return path.resolve(c);
            }
            throw CoverException.usage("--init " + path + ": a folder without checkpoints/last.safetensors, last.safetensors or "
                    + ModelFiles.BEST);
        }
        if (!Files.isRegularFile(path)) throw CoverException.usage("--init " + path + ": no such file");
        String name = path.getFileName().toString();
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".json")) {
            // A checkpoint description names its weights file; the pre-training and fine-tuning formats both use "weights".
            Object w = null;
            try {
                w = ModelFiles.JSON.readValue(path.toFile(), Map.class).get("weights");
            } catch (java.io.IOException e) {
                throw CoverException.file(path, "not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
            Path f = path.resolveSibling(w != null ? w.toString() : name.replaceFirst("(?i)\\.json$", ".safetensors"));
            if (!Files.isRegularFile(f)) throw CoverException.file(path, "names weights " + f + ", which do not exist");
            return f;
        }
        return path;
    }

    /** The architecture implied by the tensor shapes; an error naming {@code source} when they are not a U-Net's. */
    public static Arch architecture(ModelFiles.Weights w, Path source) {
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

    private static long[] shape(ModelFiles.Weights w, String name, Path source) {
        long[] s = w.shapes().get(DownstreamNet.BACKBONE_PREFIX + name);
        if (s == null) throw CoverException.file(source, "not a U-Net backbone: backbone." + name + " is missing");
        return s;
    }

    /** Loads the tensors into a backbone; names and shapes must match exactly (every mismatch is listed). */
    public static void load(Params backbone, ModelFiles.Weights w, Path source) {
        backbone.load(w.values(), w.shapes(), "--init " + source);
    }
}

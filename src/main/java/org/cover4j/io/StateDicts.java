package org.cover4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named weight tensors from a file the user points at: a {@code .safetensors} file (cover4j's or the reference
 * model's), a numpy {@code .npz} export of a PyTorch {@code state_dict}, a checkpoint description ({@code .json},
 * whose {@code "weights"} names the file), or a run folder (its newest checkpoint). A {@code module.} prefix
 * (DataParallel) is removed. PyTorch pickles are refused: loading them can run code, and so are weights with a NaN or an
 * infinity. A checkpoint manifest's weights are used only when their size and SHA-256 match it ({@link StepManifests}).
 */
public final class StateDicts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StateDicts() {}

    /** Tensor values and shapes in file order, and the file they came from. */
    public record StateDict(Map<String, float[]> values, Map<String, long[]> shapes, Path file) {}

    public static StateDict read(Path path) {
        return read(path, "--init");
    }

    /** As {@link #read(Path)}; a missing file or a folder without checkpoints is reported against {@code flag}. */
    public static StateDict read(Path path, String flag) {
        Path file = resolve(path, flag);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npz")) {
            Npz.read(file).forEach((k, a) -> put(k, a.floats(), a.shape(), values, shapes));
        } else if (name.endsWith(".safetensors")) {
            SafeTensors.read(file).tensors().forEach((k, t) -> put(k, t.data(), t.shape(), values, shapes));
        } else if (name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".tar")) {
            throw CoverException.file(file, "PyTorch pickles are not read (they can run code); export with "
                    + "np.savez('sd.npz', **{k: v.numpy() for k, v in sd.items()}) or safetensors");
        } else {
            throw CoverException.file(file, "unknown weights format (expected a run folder, .json, .safetensors or .npz)");
        }
        FiniteValues.requireFinite(values, file);
        return new StateDict(values, shapes, file);
    }

    private static void put(String key, float[] v, long[] shape, Map<String, float[]> values, Map<String, long[]> shapes) {
        String k = key.startsWith("module.") ? key.substring("module.".length()) : key;
        values.put(k, v);
        shapes.put(k, shape);
    }

    /** The weights file meant by {@code path}: a file as given, the file a description names, or a folder's newest checkpoint. */
    public static Path resolve(Path path) {
        return resolve(path, "--init");
    }

    /** As {@link #resolve(Path)}; a missing file or a folder without checkpoints is reported against {@code flag}. */
    public static Path resolve(Path path, String flag) {
        if (Files.isDirectory(path)) {
            // A pre-training run's or a fine-tuned model's manifest first: it names verified files.
            for (String[] m : new String[][] {{"checkpoints", "last.json"}, {".", "train-state.json"}}) {
                Path dir = path.resolve(m[0]).normalize();
                StepManifests.Scan scan = StepManifests.newest(dir, m[1], List.of("weights"));
                if (scan.any()) return verifiedWeights(scan, dir.resolve(m[1]));
            }
            for (String c : new String[] {"last.safetensors", "best.safetensors"}) {
                if (Files.isRegularFile(path.resolve(c))) return path.resolve(c);
            }
            throw CoverException.usage(flag + " " + path + ": a folder without checkpoints/last.json, train-state.json, last.safetensors or best.safetensors");
        }
        if (!Files.isRegularFile(path)) throw CoverException.usage(flag + " " + path + ": no such file");
        String name = path.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".json")) return path;
        Map<?, ?> doc;
        try {
            doc = JSON.readValue(path.toFile(), Map.class);
        } catch (IOException e) {
            throw CoverException.file(path, "not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (doc.get("files") instanceof Map<?, ?> && StepManifests.step(name) < 0) {
            // A commit manifest (last.json, train-state.json): the newest checkpoint of its folder that verifies.
            return verifiedWeights(StepManifests.newest(path.toAbsolutePath().getParent(), name, List.of("weights")), path);
        }
        String problem = StepManifests.problem(doc, path.toAbsolutePath().getParent(), List.of("weights"));
        if (problem != null) throw CoverException.file(path, problem);
        Object w = doc.get("weights");
        Path f = path.resolveSibling(w != null ? w.toString() : name.replaceFirst("(?i)\\.json$", ".safetensors"));
        if (!Files.isRegularFile(f)) throw CoverException.file(path, "names weights " + f + ", which do not exist");
        return f;
    }

    /** The weights of a scan's manifest, saying on stderr which newer manifests did not verify; an error when none did. */
    private static Path verifiedWeights(StepManifests.Scan scan, Path manifest) {
        for (String s : scan.skipped()) System.err.println("cover4j: skipping a checkpoint that does not verify: " + s);
        if (scan.found() == null) {
            throw CoverException.file(manifest, "no checkpoint of this folder verifies (" + String.join("; ", scan.skipped()) + ")");
        }
        Map<?, ?> doc = scan.found().doc();
        String name = StepManifests.fileName(doc, "weights");
        if (name == null && doc.get("weights") != null) name = doc.get("weights").toString();
        if (name == null) name = "last.safetensors"; // a fine-tuned model's state from before manifests named their files
        if (!scan.skipped().isEmpty()) System.err.println("cover4j: using the older checkpoint " + scan.found().json());
        return scan.found().json().resolveSibling(name);
    }
}

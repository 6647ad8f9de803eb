package org.cover4j.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.cover4j.io.AtomicFiles;
import org.cover4j.io.SafeTensors;
import org.cover4j.nn.Params;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Pre-training checkpoints in {@code OUT/checkpoints/}:
 * <ul>
 *   <li>{@code step-N.safetensors} — the weights, named exactly as the reference model's state_dict
 *       (Python's {@code safetensors} reads it; no code runs on load);</li>
 *   <li>{@code step-N.optim.safetensors} — Adam's moments (kept for the newest step only);</li>
 *   <li>{@code step-N.json} — configuration, step, generator state, optimizer reference, provenance;</li>
 *   <li>{@code last.safetensors}, {@code last.optim.safetensors}, {@code last.json} — the newest of these.</li>
 * </ul>
 * Every file is written to a temporary name and renamed, and {@code last.json} is replaced last and names
 * the step files it belongs to, so a run killed at any instant leaves a consistent last checkpoint.
 */
public final class Checkpoints {
    public static final String FORMAT = "cover4j-checkpoint";
    /** 2: settings split into common, method and backbone parts ({@code settings}, {@code method_settings}, {@code backbone}). */
    public static final int FORMAT_VERSION = 2;
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    public Checkpoints(Path dir) {
        this.dir = dir;
    }

    public Path lastWeights() {
        return dir.resolve("last.safetensors");
    }

    public Path lastJson() {
        return dir.resolve("last.json");
    }

    /**
     * The description of the newest complete checkpoint: {@code last.json}, or — for a run killed between writing
     * its first {@code step-N} files and {@code last.json} — the highest {@code step-N.json} whose weights and
     * optimizer state exist. Empty when the folder holds no checkpoint.
     */
    public java.util.Optional<Path> latestJson() {
        if (Files.isRegularFile(lastJson())) return java.util.Optional.of(lastJson());
        if (!Files.isDirectory(dir)) return java.util.Optional.empty();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("step-\\d+\\.json"))
                    .filter(p -> {
                        String base = p.getFileName().toString().replaceFirst("\\.json$", "");
                        return Files.isRegularFile(dir.resolve(base + ".safetensors"))
                                && Files.isRegularFile(dir.resolve(base + ".optim.safetensors"));
                    })
                    .max(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll("\\D", ""))));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Writes the checkpoint of {@code step} — {@code state}'s tensors, Adam's moments, and a JSON document made of
     * {@code description} (what the run is: kind, method, settings, generator state, provenance) plus the step, the file
     * names and the optimizer's settings — and makes it the last one; returns the weights file.
     */
    public Path save(long step, String method, Params state, Adam adam, Map<String, Object> description) {
        String base = "step-" + step;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Long.toString(step));
        meta.put("method", method);
        SafeTensors.write(dir.resolve(base + ".safetensors"), state.toArrays(), state.shapes(), meta);
        SafeTensors.write(dir.resolve(base + ".optim.safetensors"), adam.stateArrays(), adam.stateShapes(), meta);

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("format_version", FORMAT_VERSION);
        doc.put("method", method);
        doc.put("step", step);
        doc.put("weights", base + ".safetensors");
        doc.putAll(description);
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("type", "adam");
        opt.put("file", base + ".optim.safetensors");
        opt.put("step", adam.stepCount());
        opt.put("betas", new double[] {0.9, 0.999});
        opt.put("eps", 1e-8);
        opt.put("weight_decay", adam.weightDecay());
        opt.put("weight_decay_style", "coupled L2 (torch.optim.Adam)");
        doc.put("optimizer", opt);
        byte[] json = toJson(doc);
        AtomicFiles.write(dir.resolve(base + ".json"), out -> out.write(json));

        replaceWithLink(dir.resolve("last.safetensors"), dir.resolve(base + ".safetensors"));
        replaceWithLink(dir.resolve("last.optim.safetensors"), dir.resolve(base + ".optim.safetensors"));
        AtomicFiles.write(lastJson(), out -> out.write(json));
        deleteOlderOptimizerStates(base + ".optim.safetensors");
        return lastWeights();
    }

    private static byte[] toJson(Object doc) {
        try {
            return JSON.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Points {@code link} at {@code target}'s content atomically (a hard link, or a copy where links are impossible). */
    private static void replaceWithLink(Path link, Path target) {
        Path tmp = link.resolveSibling("." + link.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try {
                Files.createLink(tmp, target);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(target, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw CoverException.file(link, "cannot write (" + e.getMessage() + ")");
        }
    }

    private void deleteOlderOptimizerStates(String keep) {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("step-") && n.endsWith(".optim.safetensors") && !n.equals(keep);
            }).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // stale optimizer files only cost disk space
        }
    }

    /**
     * A checkpoint read back for resuming or initialising: its whole JSON document ({@code doc}: what the run was,
     * for its kind to interpret), the weights, and the optimizer state when it has one.
     */
    public record Loaded(long step, String method, Map<?, ?> doc, Map<String, float[]> weights, Map<String, long[]> shapes,
                         Map<String, float[]> optimizer, long optimizerStep, Provenance provenance, Path json) {}

    /** Reads the checkpoint described by a checkpoint JSON file (e.g. {@code last.json}). */
    public static Loaded read(Path json) {
        Map<?, ?> doc;
        try {
            doc = JSON.readValue(json.toFile(), Map.class);
        } catch (IOException e) {
            throw CoverException.file(json, "not a readable checkpoint description (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (!FORMAT.equals(doc.get("format"))) throw CoverException.file(json, "not a cover4j checkpoint (format " + doc.get("format") + ")");
        Object version = doc.get("format_version");
        if (!(version instanceof Number n) || n.intValue() < 1 || n.intValue() > FORMAT_VERSION) {
            throw CoverException.file(json, "checkpoint format version " + version + " is not supported (this cover4j reads versions 1 to "
                    + FORMAT_VERSION + ")");
        }
        if (!(doc.get("step") instanceof Number stepNumber) || stepNumber.longValue() < 0) {
            throw CoverException.file(json, "the checkpoint's step is missing or not a number (" + doc.get("step") + ")");
        }
        long step = stepNumber.longValue();
        Path dir = json.getParent();
        SafeTensors.Contents w = SafeTensors.read(dir.resolve(String.valueOf(doc.get("weights"))));
        Map<String, float[]> optimizer = null;
        long optimizerStep = 0;
        if (doc.get("optimizer") instanceof Map<?, ?> opt && opt.get("file") != null) {
            Path f = dir.resolve(String.valueOf(opt.get("file")));
            if (Files.exists(f)) {
                optimizer = SafeTensors.read(f).values();
                optimizerStep = opt.get("step") instanceof Number os ? os.longValue() : 0;
            }
        }
        String method = doc.get("method") == null ? "cover" : String.valueOf(doc.get("method"));
        return new Loaded(step, method, doc, w.values(), w.shapes(), optimizer, optimizerStep, Provenance.fromMap(doc.get("provenance")), json);
    }

    /** {@code doc}'s part {@code key} as the record type {@code type}; an error naming {@code json} when it does not fit. */
    public static <T> T part(Map<?, ?> doc, String key, Class<T> type, Path json) {
        try {
            return JSON.convertValue(doc.get(key), type);
        } catch (IllegalArgumentException e) {
            throw CoverException.file(json, "checkpoint " + key + " are invalid (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** A record as the JSON tree a checkpoint stores it in. */
    public static Object tree(Object value) {
        return JSON.convertValue(value, Object.class);
    }
}

package org.cover4j.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.cover4j.io.AtomicFiles;
import org.cover4j.io.SafeTensors;
import org.cover4j.pretrain.PretrainMethod;
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
    public static final int FORMAT_VERSION = 1;
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

    /** Writes the checkpoint of {@code step} and makes it the last one; returns the weights file. */
    public Path save(long step, PretrainMethod method, Adam adam, PretrainSettings settings, Provenance provenance,
                     long dataPosition) {
        String base = "step-" + step;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Long.toString(step));
        meta.put("method", method.name());
        SafeTensors.write(dir.resolve(base + ".safetensors"), method.params().toArrays(), method.params().shapes(), meta);
        SafeTensors.write(dir.resolve(base + ".optim.safetensors"), adam.stateArrays(), adam.stateShapes(), meta);

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("format_version", FORMAT_VERSION);
        doc.put("kind", "pretrain");
        doc.put("method", method.name());
        doc.put("step", step);
        doc.put("weights", base + ".safetensors");
        doc.put("model", settings.coverConfig());
        doc.put("settings", settings);
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("type", "adam");
        opt.put("file", base + ".optim.safetensors");
        opt.put("step", adam.stepCount());
        opt.put("betas", new double[] {0.9, 0.999});
        opt.put("eps", 1e-8);
        opt.put("weight_decay", settings.weightDecay());
        opt.put("weight_decay_style", "coupled L2 (torch.optim.Adam)");
        doc.put("optimizer", opt);
        Map<String, Object> rng = new LinkedHashMap<>();
        rng.put("algorithm", "xoshiro256** with SplitMix64 seeding; item i of epoch e uses derive(1, e, i)");
        rng.put("seed", settings.seed());
        rng.put("data_position", dataPosition);
        doc.put("rng", rng);
        doc.put("provenance", provenance.toMap());
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

    /** A checkpoint read back for resuming or initialising. */
    public record Loaded(long step, PretrainSettings settings, Map<String, float[]> weights, Map<String, long[]> shapes,
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
        if (!(version instanceof Number n) || n.intValue() != FORMAT_VERSION) {
            throw CoverException.file(json, "checkpoint format version " + version + " is not supported (this cover4j reads version "
                    + FORMAT_VERSION + ")");
        }
        PretrainSettings settings;
        try {
            settings = JSON.convertValue(doc.get("settings"), PretrainSettings.class);
        } catch (IllegalArgumentException e) {
            throw CoverException.file(json, "checkpoint settings are invalid (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        long step = ((Number) doc.get("step")).longValue();
        Path dir = json.getParent();
        SafeTensors.Contents w = SafeTensors.read(dir.resolve(String.valueOf(doc.get("weights"))));
        Map<String, float[]> weights = w.values();
        Map<String, long[]> shapes = w.shapes();
        Map<String, float[]> optimizer = null;
        long optimizerStep = 0;
        if (doc.get("optimizer") instanceof Map<?, ?> opt && opt.get("file") != null) {
            Path f = dir.resolve(String.valueOf(opt.get("file")));
            if (Files.exists(f)) {
                optimizer = SafeTensors.read(f).values();
                optimizerStep = ((Number) opt.get("step")).longValue();
            }
        }
        return new Loaded(step, settings, weights, shapes, optimizer, optimizerStep, Provenance.fromMap(doc.get("provenance")), json);
    }
}

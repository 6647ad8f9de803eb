package org.cover4j.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.cover4j.io.FiniteValues;
import org.cover4j.io.SafeTensors;
import org.cover4j.io.StepManifests;
import org.cover4j.nn.Params;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pre-training checkpoints in {@code OUT/checkpoints/}, written by the {@link CheckpointStore} protocol:
 * <ul>
 *   <li>{@code step-N.safetensors} — the weights, named exactly as the reference model's state_dict
 *       (Python's {@code safetensors} reads it; no code runs on load);</li>
 *   <li>{@code step-N.optim.safetensors} — the optimizer's state (Adam's moments, SGD's momentum buffers);</li>
 *   <li>{@code step-N.json} — configuration, step, generator state, optimizer settings, provenance, and the two files'
 *       sizes and SHA-256;</li>
 *   <li>{@code last.json} — the same document for the newest step, replaced atomically: the commit;</li>
 *   <li>{@code last.safetensors} — the newest weights for users (never read for resume).</li>
 * </ul>
 * The newest {@code --keep-checkpoints} checkpoints and every {@code --keep-every}-th are kept.
 */
public final class Checkpoints {
    public static final String FORMAT = "cover4j-checkpoint";
    /**
     * 2: settings split into common, method and backbone parts ({@code settings}, {@code method_settings}, {@code backbone});
     * 3: a {@code files} section with the size and SHA-256 of the weights and optimizer files.
     */
    public static final int FORMAT_VERSION = 3;
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;
    private final CheckpointStore store;

    public Checkpoints(Path dir) {
        this.dir = dir;
        this.store = new CheckpointStore(dir, "last.json", JSON);
    }

    public Path lastWeights() {
        return dir.resolve(CheckpointStore.USER_COPY);
    }

    public Path lastJson() {
        return store.commitManifest();
    }

    /** Whether the folder holds a checkpoint (committed or not, verifying or not). */
    public boolean any() {
        return store.any();
    }

    /**
     * The newest checkpoint whose files verify — {@code last.json}, or an older {@code step-N.json} when {@code last.json}
     * is missing or names files that no longer match (each skipped one is reported on {@code log}); empty when the
     * folder holds no checkpoint; an error when it holds some but none verifies.
     */
    public Optional<Loaded> latest(PrintStream log) {
        return store.newest(log).map(f -> read(f.json(), f.doc(), false));
    }

    /**
     * Writes the checkpoint of {@code step} — {@code state}'s tensors, the optimizer's state, and a JSON document made of
     * {@code description} (what the run is: kind, method, settings, generator state, provenance) plus the step, the file
     * names and the optimizer's settings — and commits it, keeping the {@code keepNewest} newest and every
     * {@code keepEvery}-th checkpoint; returns the commit manifest ({@code last.json}).
     */
    public Path save(long step, String method, Params state, Optimizer optimizer, Map<String, Object> description, int keepNewest, int keepEvery) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Long.toString(step));
        meta.put("method", method);
        // What network the weights belong to, in the weights file itself, so that finetune --init can rebuild it
        // from a lone .safetensors file.
        Object backbone = description.get("backbone");
        if (backbone != null) {
            try {
                meta.put("backbone", JSON.writeValueAsString(backbone));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        if (description.get("settings") instanceof Map<?, ?> settings && settings.get("size") != null) {
            meta.put("input_size", String.valueOf(settings.get("size")));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("format_version", FORMAT_VERSION);
        doc.put("method", method);
        doc.put("step", step);
        doc.put("weights", CheckpointStore.weightsName(step));
        doc.putAll(description);
        Map<String, Object> opt = new LinkedHashMap<>(optimizer.describe());
        opt.put("file", CheckpointStore.optimizerName(step));
        opt.put("step", optimizer.stepCount());
        doc.put("optimizer", opt);
        Path committed = store.commit(step, () -> new CheckpointStore.Tensors(state.toArrays(), state.shapes(), meta),
                () -> new CheckpointStore.Tensors(optimizer.stateArrays(), optimizer.stateShapes(), meta), doc);
        try {
            Files.deleteIfExists(dir.resolve("last.optim.safetensors")); // the link of format 2, now misleading
        } catch (IOException e) {
            // only disk space
        }
        store.prune(step, keepNewest, keepEvery);
        return committed;
    }

    /**
     * A checkpoint read back for resuming or initialising: its whole JSON document ({@code doc}: what the run was,
     * for its kind to interpret), the weights, and the optimizer state when it has one.
     */
    public record Loaded(long step, String method, Map<?, ?> doc, Map<String, float[]> weights, Map<String, long[]> shapes,
                         Map<String, float[]> optimizer, Map<String, long[]> optimizerShapes, Path optimizerFile, long optimizerStep,
                         Provenance provenance, Path json) {}

    /** Reads the checkpoint described by a checkpoint JSON file (e.g. {@code last.json}), verifying the files it names. */
    public static Loaded read(Path json) {
        Map<?, ?> doc;
        try {
            doc = JSON.readValue(json.toFile(), Map.class);
        } catch (IOException e) {
            throw CoverException.file(json, "not a readable checkpoint description (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        return read(json, doc, true);
    }

    private static Loaded read(Path json, Map<?, ?> doc, boolean verify) {
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
        Path dir = json.toAbsolutePath().getParent();
        if (verify) {
            String problem = StepManifests.problem(doc, dir, List.of(CheckpointStore.WEIGHTS, CheckpointStore.OPTIMIZER));
            if (problem != null) throw CoverException.file(json, problem);
        }
        Path weightsFile = dir.resolve(String.valueOf(doc.get("weights")));
        SafeTensors.Contents w = SafeTensors.read(weightsFile);
        FiniteValues.requireFinite(w.values(), weightsFile);
        Map<String, float[]> optimizer = null;
        Map<String, long[]> optimizerShapes = null;
        Path optimizerFile = null;
        long optimizerStep = 0;
        if (doc.get("optimizer") instanceof Map<?, ?> opt && opt.get("file") != null) {
            Path f = dir.resolve(String.valueOf(opt.get("file")));
            if (Files.exists(f)) {
                SafeTensors.Contents o = SafeTensors.read(f);
                FiniteValues.requireFinite(o.values(), f);
                optimizer = o.values();
                optimizerShapes = o.shapes();
                optimizerFile = f;
                if (opt.get("step") != null && !(opt.get("step") instanceof Number)) {
                    throw CoverException.file(json, "the optimizer's step is not a number (" + opt.get("step") + ")");
                }
                optimizerStep = opt.get("step") instanceof Number os ? os.longValue() : 0;
            }
        }
        String method = doc.get("method") == null ? "cover" : String.valueOf(doc.get("method"));
        return new Loaded(step, method, doc, w.values(), w.shapes(), optimizer, optimizerShapes, optimizerFile, optimizerStep,
                Provenance.fromMap(doc.get("provenance")), json);
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

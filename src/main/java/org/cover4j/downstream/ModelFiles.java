package org.cover4j.downstream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.cover4j.io.AtomicFiles;
import org.cover4j.io.FileFingerprint;
import org.cover4j.io.FiniteValues;
import org.cover4j.io.SafeTensors;
import org.cover4j.io.StateDicts;
import org.cover4j.io.StepManifests;
import org.cover4j.train.CheckpointStore;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a fine-tuned model folder:
 * <ul>
 *   <li>{@code best.safetensors} — weights of the best validation step ({@code backbone.*} + head);</li>
 *   <li>{@code model.json} — what {@code predict}/{@code evaluate} need to rebuild and feed the model (task,
 *       classes, architecture, normalisation, patch size), the best step and metric, the run's settings and
 *       provenance;</li>
 *   <li>{@code step-N.safetensors}, {@code step-N.optim.safetensors}, {@code step-N.json} and the commit manifest
 *       {@code train-state.json} — the resumable state (weights, Adam's moments, progress), written at every validation
 *       and when a signal stops the run, by the {@link CheckpointStore} protocol: the manifest names the step's files
 *       with their sizes and SHA-256 and is replaced last, atomically; the two newest states are kept so that a resume
 *       can fall back to the older one when the newer one does not verify;</li>
 *   <li>{@code last.safetensors} — the newest state's weights for users (a link to the step file, never read to resume).</li>
 * </ul>
 * {@code model.json} also records {@code best.safetensors}' size and SHA-256, and neither file is written with a
 * non-finite value nor read back with one.
 */
public final class ModelFiles {
    public static final String FORMAT = "cover4j-finetuned";
    /** The version of {@code model.json} (a {@code files} section was added compatibly). */
    public static final int FORMAT_VERSION = 1;
    /** The version of {@code train-state.json}: 2 names step files with their fingerprints (1: fixed last.* names). */
    public static final int STATE_FORMAT_VERSION = 2;
    /** States kept: the newest and the one before, for a resume to fall back to. */
    static final int STATES_KEPT = 2;
    public static final String MODEL_JSON = "model.json";
    public static final String BEST = "best.safetensors";
    public static final String LAST = "last.safetensors";
    public static final String LAST_OPTIM = "last.optim.safetensors";
    public static final String STATE_JSON = "train-state.json";

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelFiles() {}

    /** Whether {@code dir} already holds (part of) a fine-tuned model. */
    public static boolean holdsModel(Path dir) {
        return Files.exists(dir.resolve(MODEL_JSON)) || store(dir).any();
    }

    private static CheckpointStore store(Path dir) {
        return new CheckpointStore(dir, STATE_JSON, JSON);
    }

    /** The spec as a JSON-friendly map. */
    public static Map<String, Object> specMap(ModelSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", s.task().code());
        m.put("dims", s.dims());
        m.put("in_channels", s.inChannels());
        if (s.channels() != null) m.put("channels", s.channels()); // as before backbones other than the U-Net existed
        m.put("backbone", org.cover4j.train.Checkpoints.tree(s.backbone()));
        m.put("num_classes", s.numClasses());
        m.put("class_names", s.classNames());
        m.put("normalization", s.normalization());
        m.put("patch", s.patch());
        m.put("binary_labels", s.binaryLabels());
        m.put("head_level", s.headLevel());
        return m;
    }

    static ModelSpec spec(Map<?, ?> m, Path json) {
        try {
            List<String> names = new ArrayList<>();
            for (Object o : (List<?>) m.get("class_names")) names.add(String.valueOf(o));
            Task task = Task.parse(String.valueOf(m.get("task")));
            // Models written before --probe-level existed have their head on the task's usual level.
            int level = m.containsKey("head_level") ? num(m, "head_level") : task.defaultHeadLevel();
            org.cover4j.nn.BackboneSpec backbone = m.get("backbone") != null
                    ? JSON.convertValue(m.get("backbone"), org.cover4j.nn.BackboneSpec.class)
                    : org.cover4j.nn.BackboneSpec.unet(ints(m.get("channels")));
            return new ModelSpec(task, num(m, "dims"), num(m, "in_channels"), backbone,
                    num(m, "num_classes"), names, String.valueOf(m.get("normalization")), ints(m.get("patch")),
                    Boolean.TRUE.equals(m.get("binary_labels")), level);
        } catch (RuntimeException e) {
            throw CoverException.file(json, "model description is incomplete or invalid (" + e.getMessage() + ")");
        }
    }

    private static int num(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("'" + key + "' missing");
        return n.intValue();
    }

    private static int[] ints(Object o) {
        List<?> l = (List<?>) o;
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = ((Number) l.get(i)).intValue();
        return a;
    }

    /** Writes the best weights, then {@code model.json} describing them (with their size and SHA-256). */
    public static void writeBest(Path dir, DownstreamNet net, Map<String, Object> doc) {
        LinkedHashMap<String, float[]> weights = net.toArrays();
        String bad = FiniteValues.firstNonFinite(weights);
        if (bad != null) {
            throw new CoverException(dir.resolve(BEST) + ": not written, the weights hold a non-finite value (" + bad + "); try a lower --lr or --clip",
                    CoverException.TRAINING_FAILED, null);
        }
        Map<String, String> meta = Map.of("format", FORMAT, "task", net.spec().task().code());
        SafeTensors.write(dir.resolve(BEST), weights, net.shapes(), meta);
        Map<String, Object> full = new LinkedHashMap<>();
        full.put("format", FORMAT);
        full.put("format_version", FORMAT_VERSION);
        full.put("model", specMap(net.spec()));
        full.put("weights", BEST);
        full.putAll(doc);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", BEST);
        entry.putAll(FileFingerprint.of(dir.resolve(BEST)).toMap());
        full.put("files", Map.of(CheckpointStore.WEIGHTS, entry));
        writeJson(dir.resolve(MODEL_JSON), full);
    }

    /**
     * Writes and commits the resumable state of step {@code state.step} (see the class comment): weights, optimizer
     * moments, then the manifest naming them; refuses non-finite values (exit status 4).
     */
    public static void writeLast(Path dir, DownstreamNet net, LinkedHashMap<String, float[]> optim, Map<String, long[]> optimShapes,
                                 Map<String, Object> state) {
        long step = ((Number) state.get("step")).longValue();
        Map<String, String> meta = Map.of("format", FORMAT);
        Map<String, Object> full = new LinkedHashMap<>();
        full.put("format", FORMAT);
        full.put("format_version", STATE_FORMAT_VERSION);
        full.put("model", specMap(net.spec()));
        full.putAll(state);
        full.put("weights", CheckpointStore.weightsName(step));
        CheckpointStore store = store(dir);
        store.commit(step, new CheckpointStore.Tensors(net.toArrays(), net.shapes(), meta), new CheckpointStore.Tensors(optim, optimShapes, meta), full);
        try {
            Files.deleteIfExists(dir.resolve(LAST_OPTIM)); // format 1's optimizer file, now misleading
        } catch (IOException e) {
            // only disk space
        }
        store.prune(step, STATES_KEPT, 0);
    }

    static void writeJson(Path file, Object doc) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** A model folder read back: its spec, best weights and description. */
    public record Loaded(ModelSpec spec, Map<String, float[]> weights, Map<String, long[]> shapes, Map<?, ?> doc, Path dir) {}

    /**
     * Reads {@code DIR/model.json} and its weights, which must match the size and SHA-256 it records; {@code flag} names
     * the option in messages.
     */
    public static Loaded readModel(Path dir, String flag) {
        Path json = Files.isRegularFile(dir) && dir.getFileName().toString().endsWith(".json") ? dir : dir.resolve(MODEL_JSON);
        if (!Files.isRegularFile(json)) {
            throw CoverException.usage(flag + " " + dir + ": no " + MODEL_JSON + " there; expected the --out folder of 'cover4j finetune'");
        }
        Map<?, ?> doc = readJson(json, FORMAT_VERSION);
        if (!(doc.get("model") instanceof Map<?, ?> m)) throw CoverException.file(json, "no 'model' section");
        ModelSpec spec = spec(m, json);
        String problem = StepManifests.problem(doc, json.toAbsolutePath().getParent(), List.of(CheckpointStore.WEIGHTS));
        if (problem != null) {
            throw CoverException.file(json, problem + "; the best weights were being replaced when the run stopped: "
                    + "'cover4j finetune --out " + json.getParent() + " --resume' (with its --task) writes them again");
        }
        StateDicts.StateDict w = readWeights(json.resolveSibling(String.valueOf(doc.get("weights"))));
        return new Loaded(spec, w.values(), w.shapes(), doc, json.getParent());
    }

    /** The network of a model folder with its best weights, on {@code device}. */
    public static DownstreamNet openNet(Loaded m, org.bytedeco.pytorch.Device device) {
        DownstreamNet net = new DownstreamNet(m.spec(), device, new org.cover4j.util.Rng(0));
        net.load(m.weights(), m.shapes(), m.dir().resolve(BEST).toString());
        return net;
    }

    /** The state for {@code --resume}: its JSON document (from {@code json}), the weights and optimizer moments. */
    public record State(Map<?, ?> doc, ModelSpec spec, StateDicts.StateDict weights, StateDicts.StateDict optimizer, Path json) {}

    /**
     * The newest state of {@code dir} whose files verify (an older one when the newest does not, said on {@code log}),
     * or a format-1 state (fixed {@code last.*} names).
     */
    public static State readState(Path dir, PrintStream log) {
        Path commit = dir.resolve(STATE_JSON);
        StepManifests.Found found = store(dir).newest(log).orElseThrow(() ->
                CoverException.usage("--resume: " + commit + " does not exist; nothing to resume"));
        Path json = found.json();
        Map<?, ?> doc = checkFormat(json, found.doc(), STATE_FORMAT_VERSION);
        if (!(doc.get("model") instanceof Map<?, ?> m)) throw CoverException.file(json, "no 'model' section");
        for (String key : new String[] {"step", "optimizer_step", "best_step", "since_best"}) {
            if (!(doc.get(key) instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw CoverException.file(json, "'" + key + "' is missing or not a whole number >= 0 (" + doc.get(key) + ")");
            }
        }
        if (!(doc.get("best_metric") instanceof Number) && !(doc.get("best_metric") instanceof String bm && bm.matches("-?Infinity|NaN|[-+0-9.eE]+"))) {
            throw CoverException.file(json, "'best_metric' is missing or not a number (" + doc.get("best_metric") + ")");
        }
        boolean legacy = !(doc.get("files") instanceof Map<?, ?>);
        Path weights = dir.resolve(legacy ? LAST : StepManifests.fileName(doc, CheckpointStore.WEIGHTS));
        Path optimizer = dir.resolve(legacy ? LAST_OPTIM : StepManifests.fileName(doc, CheckpointStore.OPTIMIZER));
        return new State(doc, spec(m, json), readWeights(weights), readWeights(optimizer), json);
    }

    /**
     * The settings saved in the newest {@code train-state.json} of {@code dir} (unverified: for comparing options before
     * the real read, and for the runs of a set of runs that a resume starts afresh).
     */
    public static FinetuneSettings savedSettings(Path dir) {
        Path json = dir.resolve(STATE_JSON);
        if (!Files.isRegularFile(json)) throw CoverException.usage("--resume: " + json + " does not exist; nothing to resume");
        return fromTree(readJson(json, STATE_FORMAT_VERSION).get("settings"), FinetuneSettings.class, json);
    }

    private static Map<?, ?> readJson(Path json, int newestVersion) {
        return checkFormat(json, readJson(json), newestVersion);
    }

    /** A JSON object as written by {@link #writeJson}, without a format check (this package's small summaries). */
    static Map<?, ?> readJson(Path json) {
        try {
            return JSON.readValue(json.toFile(), Map.class);
        } catch (IOException e) {
            throw CoverException.file(json, "not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private static Map<?, ?> checkFormat(Path json, Map<?, ?> doc, int newestVersion) {
        if (!FORMAT.equals(doc.get("format"))) throw CoverException.file(json, "not a cover4j fine-tuned model (format " + doc.get("format") + ")");
        if (!(doc.get("format_version") instanceof Number n) || n.intValue() < 1 || n.intValue() > newestVersion) {
            throw CoverException.file(json, "format version " + doc.get("format_version") + " is not supported (this cover4j reads 1 to "
                    + newestVersion + ")");
        }
        return doc;
    }

    /** Named float arrays with their shapes. */
    public static StateDicts.StateDict readWeights(Path file) {
        if (!Files.isRegularFile(file)) throw CoverException.file(file, "weights file is missing");
        SafeTensors.Contents c = SafeTensors.read(file);
        FiniteValues.requireFinite(c.values(), file);
        return new StateDicts.StateDict(c.values(), c.shapes(), file);
    }

    /** Converts a settings record or any value to a JSON-friendly tree. */
    public static Object toTree(Object o) {
        return JSON.convertValue(o, Object.class);
    }

    public static <T> T fromTree(Object tree, Class<T> type, Path where) {
        try {
            return JSON.convertValue(tree, type);
        } catch (IllegalArgumentException e) {
            throw CoverException.file(where, "invalid settings (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}

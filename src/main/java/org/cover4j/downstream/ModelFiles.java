package org.cover4j.downstream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.cover4j.io.AtomicFiles;
import org.cover4j.io.SafeTensors;
import org.cover4j.io.StateDicts;
import org.cover4j.util.CoverException;

import java.io.IOException;
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
 *   <li>{@code last.safetensors}, {@code last.optim.safetensors}, {@code train-state.json} — the newest state,
 *       for {@code --resume} (written at every validation; the JSON last, so it always names complete files).</li>
 * </ul>
 */
public final class ModelFiles {
    public static final String FORMAT = "cover4j-finetuned";
    public static final int FORMAT_VERSION = 1;
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
        return Files.exists(dir.resolve(MODEL_JSON)) || Files.exists(dir.resolve(STATE_JSON));
    }

    /** The spec as a JSON-friendly map. */
    public static Map<String, Object> specMap(ModelSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", s.task().code());
        m.put("dims", s.dims());
        m.put("in_channels", s.inChannels());
        m.put("channels", s.channels());
        m.put("num_classes", s.numClasses());
        m.put("class_names", s.classNames());
        m.put("normalization", s.normalization());
        m.put("patch", s.patch());
        m.put("binary_labels", s.binaryLabels());
        return m;
    }

    static ModelSpec spec(Map<?, ?> m, Path json) {
        try {
            List<String> names = new ArrayList<>();
            for (Object o : (List<?>) m.get("class_names")) names.add(String.valueOf(o));
            return new ModelSpec(Task.parse(String.valueOf(m.get("task"))), num(m, "dims"), num(m, "in_channels"), ints(m.get("channels")),
                    num(m, "num_classes"), names, String.valueOf(m.get("normalization")), ints(m.get("patch")),
                    Boolean.TRUE.equals(m.get("binary_labels")));
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

    /** Writes the best weights, then {@code model.json} describing them. */
    public static void writeBest(Path dir, DownstreamNet net, Map<String, Object> doc) {
        Map<String, String> meta = Map.of("format", FORMAT, "task", net.spec().task().code());
        SafeTensors.write(dir.resolve(BEST), net.toArrays(), net.shapes(), meta);
        Map<String, Object> full = new LinkedHashMap<>();
        full.put("format", FORMAT);
        full.put("format_version", FORMAT_VERSION);
        full.put("model", specMap(net.spec()));
        full.put("weights", BEST);
        full.putAll(doc);
        writeJson(dir.resolve(MODEL_JSON), full);
    }

    /** Writes the resumable state: weights, optimizer moments, then the JSON that names them. */
    public static void writeLast(Path dir, DownstreamNet net, LinkedHashMap<String, float[]> optim, Map<String, long[]> optimShapes,
                                 Map<String, Object> state) {
        Map<String, String> meta = Map.of("format", FORMAT);
        SafeTensors.write(dir.resolve(LAST), net.toArrays(), net.shapes(), meta);
        SafeTensors.write(dir.resolve(LAST_OPTIM), optim, optimShapes, meta);
        Map<String, Object> full = new LinkedHashMap<>();
        full.put("format", FORMAT);
        full.put("format_version", FORMAT_VERSION);
        full.put("model", specMap(net.spec()));
        full.putAll(state);
        writeJson(dir.resolve(STATE_JSON), full);
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

    /** Reads {@code DIR/model.json} and its weights; {@code flag} names the option in messages. */
    public static Loaded readModel(Path dir, String flag) {
        Path json = Files.isRegularFile(dir) && dir.getFileName().toString().endsWith(".json") ? dir : dir.resolve(MODEL_JSON);
        if (!Files.isRegularFile(json)) {
            throw CoverException.usage(flag + " " + dir + ": no " + MODEL_JSON + " there; expected the --out folder of 'cover4j finetune'");
        }
        Map<?, ?> doc = readJson(json);
        if (!(doc.get("model") instanceof Map<?, ?> m)) throw CoverException.file(json, "no 'model' section");
        ModelSpec spec = spec(m, json);
        StateDicts.StateDict w = readWeights(json.resolveSibling(String.valueOf(doc.get("weights"))));
        return new Loaded(spec, w.values(), w.shapes(), doc, json.getParent());
    }

    /** The network of a model folder with its best weights, on {@code device}. */
    public static DownstreamNet openNet(Loaded m, org.bytedeco.pytorch.Device device) {
        DownstreamNet net = new DownstreamNet(m.spec(), device, new org.cover4j.util.Rng(0));
        net.load(m.weights(), m.shapes(), m.dir().resolve(BEST).toString());
        return net;
    }

    /** The state for {@code --resume}: its JSON document and the last weights and optimizer moments. */
    public record State(Map<?, ?> doc, ModelSpec spec, StateDicts.StateDict weights, StateDicts.StateDict optimizer) {}

    public static State readState(Path dir) {
        Path json = dir.resolve(STATE_JSON);
        if (!Files.isRegularFile(json)) throw CoverException.usage("--resume: " + json + " does not exist; nothing to resume");
        Map<?, ?> doc = readJson(json);
        if (!(doc.get("model") instanceof Map<?, ?> m)) throw CoverException.file(json, "no 'model' section");
        return new State(doc, spec(m, json), readWeights(dir.resolve(LAST)), readWeights(dir.resolve(LAST_OPTIM)));
    }

    static Map<?, ?> readJson(Path json) {
        Map<?, ?> doc;
        try {
            doc = JSON.readValue(json.toFile(), Map.class);
        } catch (IOException e) {
            throw CoverException.file(json, "not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (!FORMAT.equals(doc.get("format"))) throw CoverException.file(json, "not a cover4j fine-tuned model (format " + doc.get("format") + ")");
        if (!(doc.get("format_version") instanceof Number n) || n.intValue() != FORMAT_VERSION) {
            throw CoverException.file(json, "format version " + doc.get("format_version") + " is not supported (this cover4j reads "
                    + FORMAT_VERSION + ")");
        }
        return doc;
    }

    /** Named float arrays with their shapes. */
    public static StateDicts.StateDict readWeights(Path file) {
        if (!Files.isRegularFile(file)) throw CoverException.file(file, "weights file is missing");
        SafeTensors.Contents c = SafeTensors.read(file);
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

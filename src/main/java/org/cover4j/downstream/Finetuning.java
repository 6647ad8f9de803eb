package org.cover4j.downstream;

import org.bytedeco.pytorch.Device;
import org.cover4j.data.Dataset;
import org.cover4j.data.FileDataset;
import org.cover4j.data.Preset;
import org.cover4j.data.PresetData;
import org.cover4j.data.Presets;
import org.cover4j.data.Splits;
import org.cover4j.io.StateDicts;
import org.cover4j.metrics.ClassificationResult;
import org.cover4j.metrics.SegmentationResult;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Precision;
import org.cover4j.torch.Torch;
import org.cover4j.train.MemoryEstimate;
import org.cover4j.train.Provenance;
import org.cover4j.train.StopSignal;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A whole fine-tuning run from its settings: data, architecture (from {@code --init} when given), classes,
 * model, training, and the test-set evaluation of the best weights. The {@code finetune} command and the demo
 * both call {@link #run}.
 */
public final class Finetuning {
    private static final long LABEL_FRACTION_STREAM = 7;
    public static final int DEFAULT_PATCH_2D = 96;
    public static final int DEFAULT_PATCH_3D = 48;
    /** The 2D patch of the backbones other than the U-Net: 128 suits every one of their small presets' constraints. */
    public static final int DEFAULT_PATCH_OTHER_BACKBONES = 128;

    private Finetuning() {}

    /** What a run produced; {@code interrupted}: a stop signal ended it early, after saving the resumable state (no test scores). */
    public record Result(ModelSpec spec, FineTuner.Progress progress, int trainCases, int valCases, Map<String, Object> testMetrics,
                         boolean interrupted) {}

    /** The labelled data of a run, opened from folders/manifests or a preset. */
    private record Sources(DataSource train, DataSource val, DataSource test, String normalization, boolean presetPrepared, int classes) {}

    /**
     * Runs (or, with {@code resume}, continues) fine-tuning into {@code out}. Refuses an {@code out} that already
     * holds a fine-tuned model unless {@code resume} or {@code force}.
     */
    public static Result run(FinetuneSettings given, boolean resume, boolean force, Path out, PrintStream log, String commandLine,
                             boolean showProgress, boolean verbose) {
        return run(given, resume, force, out, log, commandLine, showProgress, verbose, false, StopSignal.NONE);
    }

    /** {@link #run(FinetuneSettings, boolean, boolean, Path, PrintStream, String, boolean, boolean)}, ended early by {@code stop}. */
    public static Result run(FinetuneSettings given, boolean resume, boolean force, Path out, PrintStream log, String commandLine,
                             boolean showProgress, boolean verbose, boolean allowDataChange, StopSignal stop) {
        ModelFiles.State state = null;
        FinetuneSettings s = given;
        if (resume) {
            state = ModelFiles.readState(out, log);
            s = ModelFiles.fromTree(state.doc().get("settings"), FinetuneSettings.class, state.json());
            s = s.withSteps(given.steps()).withDevice(given.device());
        } else if (ModelFiles.holdsModel(out)) {
            if (!force) {
                throw CoverException.usage("--out " + out + " already holds a fine-tuned model (" + ModelFiles.MODEL_JSON + " or "
                        + ModelFiles.STATE_JSON + "); use --resume to continue it, --force to replace it, or another --out");
            }
            clear(out);
        }
        Torch.setThreads(s.threads());
        // Process-wide, as the threads: training, validation and the test scores of this run compute in its precision.
        Precision.set(s.computePrecision());
        Device device = Devices.parse(s.device());
        Task task = s.taskKind();

        StateDicts.StateDict init = null;
        BackboneWeights.Found found = null;
        BackboneWeights.Arch arch = null;
        Path initPath = s.init() == null ? null : Path.of(s.init());
        if (initPath != null) {
            found = BackboneWeights.find(initPath, "--init", s.backbone());
            init = found.backbone();
            if (found.spec() == null || found.spec().kind().isUnet()) arch = BackboneWeights.architecture(init, initPath);
        }
        BackboneSpec backbone = backbone(s, found, arch, initPath);
        Sources src = sources(s, task);
        int dims = dims(s, arch, src.train(), initPath);
        int inChannels = arch != null ? arch.inChannels() : 1;
        int[] patch = s.patch() != null ? s.patch() : repeat(defaultPatch(backbone, dims, found), dims);
        if (patch.length == 1 && dims > 1) patch = repeat(patch[0], dims);
        backbone.checkInput(dims, patch, "--patch");
        if (backbone.channels() != null) MemoryEstimate.check(backbone.channels(), patch, s.batch(), s.device(), "--patch");
        Cases.Prep prep = new Cases.Prep(task, dims, inChannels, loadNormalization(src), patch, s.binaryLabels());
        // Validate the patch now, before any file is read.
        new ModelSpec(task, dims, inChannels, backbone, 2, ModelSpec.numberedClasses(2), src.normalization(), patch, s.binaryLabels());

        DataSource trainSrc = labelFraction(src.train(), s, task);
        List<String> names = classNames(src);
        // A preset declares its classes; --classes overrides.
        int declared = s.classes() > 0 ? s.classes() : src.classes();
        List<Case> train = Cases.load(trainSrc, prep, declared, names);
        List<Case> val = Cases.load(src.val(), prep, declared, names);
        if (val.isEmpty()) throw CoverException.usage(src.val().where() + ": the validation set is empty");
        int k = numClasses(declared, task, train, val, names, src.train());
        Cases.requireEveryClass(train, k, src.train().where() + (s.labelFraction() < 1 ? " (after --label-fraction " + s.labelFraction() + ")" : ""));
        checkValLabels(val, k, src.val().where());
        if (s.classWeights() != null && (task != Task.CLS || s.classWeights().length != k)) {
            throw CoverException.usage("--class-weights: " + (task != Task.CLS ? "only for --task cls" : "needs " + k + " weights (one per class), got "
                    + s.classWeights().length));
        }
        List<String> classNames = names != null ? names : ModelSpec.numberedClasses(k);
        ModelSpec spec = new ModelSpec(task, dims, inChannels, backbone, k, classNames, src.normalization(), patch, s.binaryLabels(),
                s.headLevel());
        if (state != null && !state.spec().equals(spec)) {
            throw CoverException.file(state.json(), "the saved model (" + state.spec() + ") differs from what the data give now ("
                    + spec + "); did the data change?");
        }

        DownstreamNet net = new DownstreamNet(spec, device, new Rng(s.seed()));
        FineTuner.Progress from = FineTuner.Progress.start();
        Map<String, Object> modelDoc;
        if (state != null) {
            net.load(state.weights().values(), state.weights().shapes(), state.weights().file().toString());
            from = progress(state.doc());
            @SuppressWarnings("unchecked")
            Map<String, Object> saved = (Map<String, Object>) state.doc().get("model_doc");
            modelDoc = saved;
            checkSameTrainingCases(saved, train, src.train().where(), allowDataChange, out);
            if (from.stopped() || from.step() >= s.steps()) {
                log.printf("%s is already at step %d of %d%s; nothing to do%n", out, from.step(), s.steps(),
                        from.stopped() ? " (stopped early)" : " (raise --steps to train longer)");
                return new Result(spec, from, train.size(), val.size(), null, false);
            }
            log.printf("resuming %s at step %d of %d%n", out, from.step(), s.steps());
        } else {
            InitScope scope = initScope(s, backbone, found);
            if (init != null) {
                List<String> keptFresh;
                Map<String, float[]> freshInit = s.initShrink() != 1 ? net.backboneParams().toArrays() : null;
                if (found.official()) {
                    if (scope != InitScope.ALL) throw CoverException.usage("--init-scope encoder takes cover4j checkpoints; official weights load whole");
                    net.backbone().importOfficial(init);
                    keptFresh = List.of();
                } else {
                    keptFresh = net.loadBackbone(init, initPath, scope);
                }
                net.shrinkBackbone(freshInit, keptFresh, s.initShrink());
                log.println(found.summary(initPath, keptFresh) + "; " + net.headParams().names().size() + " head tensors newly initialised ("
                        + BackboneWeights.prefixes(net.headParams().names()) + ")" + (s.initShrink() == 1 ? ""
                        : String.format(Locale.ROOT, "; shrunk: %.3g × pre-trained + %.3g × fresh", s.initShrink(), 1 - s.initShrink())));
                if (verbose) {
                    log.println("  loaded: " + String.join(" ", init.values().keySet().stream().filter(n -> !keptFresh.contains(n)).toList()));
                    if (!found.skipped().isEmpty()) log.println("  skipped: " + String.join(" ", found.skipped()));
                    List<String> fresh = new ArrayList<>(keptFresh);
                    fresh.addAll(net.headParams().names());
                    log.println("  newly initialised: " + String.join(" ", fresh));
                }
            }
            modelDoc = new LinkedHashMap<>();
            modelDoc.put("task", task.code());
            modelDoc.put("mode", s.modeKind().code());
            modelDoc.put("init", initPath == null ? null : initPath.toString());
            if (initPath != null) modelDoc.put("init_scope", scope.code());
            if (found != null) modelDoc.put("init_method", found.method());
            modelDoc.put("metric", "val_" + task.metric());
            modelDoc.put("settings", ModelFiles.toTree(s));
            modelDoc.put("provenance", Provenance.of(train.size() + " training cases from " + src.train().where(), listingHash(train),
                    commandLine).toMap());
        }
        Evaluation.createDirectories(out);
        log.printf(Locale.ROOT, "fine-tuning %s %dD (%s, %s): %,d parameters%s, %d train / %d val cases, %d classes, patch %s, batch %d, lr %.3g, %d threads%n",
                task.label(), dims, s.modeKind().code() + (s.probeLevel() == null ? "" : " on level " + s.probeLevel()), initPath == null ? "from scratch" : "init " + initPath,
                s.modeKind() == Mode.LINEAR ? net.headParams().count() : net.count(),
                s.modeKind() == Mode.LINEAR ? " trained (head only)" : "", train.size(), val.size(), k, Arrays.toString(patch), s.batch(), s.lr(), s.threads());
        FineTuner tuner = new FineTuner(s, net, train, val, device, log, out, modelDoc);
        long optimizerStep = state == null ? 0 : ((Number) state.doc().get("optimizer_step")).longValue();
        FineTuner.Outcome outcome = tuner.run(from, state == null ? null : state.optimizer(), optimizerStep, showProgress, stop);
        FineTuner.Progress end = outcome.progress();
        if (outcome.interrupted()) return new Result(spec, end, train.size(), val.size(), null, true);

        Map<String, Object> testMetrics = null;
        if (src.test() != null) {
            ModelFiles.Loaded best = ModelFiles.readModel(out, "--out");
            net.load(best.weights(), best.shapes(), out.resolve(ModelFiles.BEST).toString());
            testMetrics = testScores(net, device, s, src, prep, k, names, out);
        }
        return new Result(spec, end, train.size(), val.size(), testMetrics, false);
    }

    /**
     * Scores the fine-tuned model in {@code modelDir} on the test set {@code s} names (its {@code --test} or its
     * preset's), into {@code modelDir/test}: the summary, or null where there is no test set.
     */
    public static Map<String, Object> scoreTest(FinetuneSettings s, Path modelDir) {
        Sources src = sources(s, s.taskKind());
        if (src.test() == null) return null;
        ModelFiles.Loaded m = ModelFiles.readModel(modelDir, "--out");
        Device device = Devices.parse(s.device());
        DownstreamNet net = ModelFiles.openNet(m, device);
        ModelSpec spec = m.spec();
        Cases.Prep prep = new Cases.Prep(spec.task(), spec.dims(), spec.inChannels(), loadNormalization(src), spec.patch(), spec.binaryLabels());
        return testScores(net, device, s, src, prep, spec.numClasses(), classNames(src), modelDir);
    }

    /** The normalisation applied while loading: none for a preset's data, prepared already. */
    private static String loadNormalization(Sources src) {
        return src.presetPrepared() ? "none" : src.normalization();
    }

    /** The training data's class names (class folders), or null where the classes are numbered. */
    private static List<String> classNames(Sources src) {
        return src.train().classNames().isEmpty() ? null : src.train().classNames();
    }

    private static Map<String, Object> testScores(DownstreamNet net, Device device, FinetuneSettings s, Sources src, Cases.Prep prep, int k,
                                                  List<String> names, Path out) {
        List<Case> test = Cases.load(src.test(), prep, k, names);
        if (test.isEmpty()) throw CoverException.usage(src.test().where() + ": the test set is empty");
        checkValLabels(test, k, src.test().where());
        return evaluate(net, device, s.batch(), test, out.resolve("test"), Map.of("model", out.toString(), "data", src.test().where()));
    }

    /** Scores {@code net} on {@code cases}, writes {@code dir/metrics.json} and {@code dir/per_case.csv}, returns the summary. */
    public static Map<String, Object> evaluate(DownstreamNet net, Device device, int batch, List<Case> cases, Path dir, Map<String, Object> extra) {
        Evaluation.createDirectories(dir);
        Predictor predictor = new Predictor(net, device, batch);
        List<String> ids = cases.stream().map(Case::id).toList();
        int k = net.spec().numClasses();
        if (net.spec().task() == Task.SEG) {
            List<SegmentationResult> r = Evaluation.segmentation(predictor, cases, k, null);
            Evaluation.writeSegmentation(dir, ids, r, extra);
            return org.cover4j.metrics.MetricsWriter.segmentationSummary(r);
        }
        double[][] probs = predictor.classProbabilities(cases);
        ClassificationResult r = Evaluation.classification(cases, probs, k);
        Evaluation.writeClassification(dir, ids, Evaluation.truth(cases), probs, r, extra);
        return org.cover4j.metrics.MetricsWriter.classificationSummary(r);
    }

    private static Sources sources(FinetuneSettings s, Task task) {
        if (s.preset() != null) {
            if (s.data() == null) throw CoverException.usage("--preset " + s.preset() + " needs --data DIR");
            Preset p = Presets.get(s.preset());
            Task pt = p.task() == Preset.Task.SEGMENTATION ? Task.SEG : p.task() == Preset.Task.CLASSIFICATION ? Task.CLS : null;
            if (pt != task) {
                throw CoverException.usage("--preset " + p.name() + " is a " + p.task().label() + " data set, not for --task " + task.code());
            }
            PresetData d = p.open(Path.of(s.data()), s.seed());
            String where = "--preset " + p.name() + " --data " + s.data();
            List<String> names = task == Task.CLS ? p.classNames() : List.of();
            return new Sources(new DataSource(d.train(), names, where + " (train)"), new DataSource(d.val(), names, where + " (val)"),
                    d.test().size() > 0 ? new DataSource(d.test(), names, where + " (test)") : null,
                    p.preprocess().normalization().toString(), true, p.numClasses());
        }
        if (s.train() == null) throw CoverException.usage("--train is required (or --preset NAME --data DIR)");
        if (s.val() == null) throw CoverException.usage("--val is required: the best checkpoint is chosen on it");
        return new Sources(DataSource.open(task, Path.of(s.train()), "--train"), DataSource.open(task, Path.of(s.val()), "--val"),
                s.test() == null ? null : DataSource.open(task, Path.of(s.test()), "--test"),
                ImagePrep.checkNormalization(s.normalization()), false, 0);
    }

    private static int dims(FinetuneSettings s, BackboneWeights.Arch arch, DataSource train, Path initPath) {
        if (arch != null) {
            if (s.dims() != 0 && s.dims() != arch.dims()) {
                throw CoverException.usage("--init " + initPath + ": a " + arch.dims() + "D checkpoint (backbone.inc.double_conv.0.weight) "
                        + "for a " + s.dims() + "D task (--dim " + s.dims() + ")");
            }
            return arch.dims();
        }
        if (s.dims() != 0) return s.dims();
        if (train.size() == 0) throw CoverException.usage(train.where() + ": no training cases");
        int[] shape = train.dataset().get(0).image().shape();
        int kept = (int) Arrays.stream(shape).filter(x -> x != 1).count();
        return kept >= 3 ? 3 : 2;
    }

    /**
     * The backbone to fine-tune: the one {@code --init} records (or, for files that record none, the U-Net its tensor
     * shapes describe), else the one the options name. Options that name another backbone than {@code --init}'s are
     * refused.
     */
    /**
     * What --init loads: as given, or by default all of a pre-trained backbone except where the backbone says its
     * pre-trained decoder fine-tunes worse than a fresh one (official weights always load whole).
     */
    static InitScope initScope(FinetuneSettings s, BackboneSpec backbone, BackboneWeights.Found found) {
        if (s.initScope() != null) return s.initScopeKind();
        boolean official = found != null && found.official();
        return official || backbone.kind().finetunesPretrainedDecoder() ? InitScope.ALL : InitScope.ENCODER;
    }

    private static BackboneSpec backbone(FinetuneSettings s, BackboneWeights.Found found, BackboneWeights.Arch arch, Path initPath) {
        if (found == null) return s.backbone() != null ? s.backbone() : BackboneSpec.unet(s.channels());
        BackboneSpec recorded = arch != null ? BackboneSpec.unet(channels(s, arch, initPath)) : found.spec();
        if (s.backbone() != null && !s.backbone().equals(recorded)) {
            throw CoverException.usage("--backbone " + s.backbone() + " differs from the checkpoint's " + recorded + " (--init " + initPath
                    + "); leave the backbone options out to take the checkpoint's");
        }
        return recorded;
    }

    /**
     * The patch when {@code --patch} is not given: a network with a fixed input size (position embeddings, attention
     * windows) keeps the size it was pre-trained at; otherwise the defaults.
     */
    private static int defaultPatch(BackboneSpec backbone, int dims, BackboneWeights.Found found) {
        if (!backbone.kind().isUnet()) return found != null && found.inputSize() != null ? found.inputSize() : DEFAULT_PATCH_OTHER_BACKBONES;
        return dims == 2 ? DEFAULT_PATCH_2D : DEFAULT_PATCH_3D;
    }

    private static int[] channels(FinetuneSettings s, BackboneWeights.Arch arch, Path initPath) {
        if (arch != null) {
            if (s.channels() != null && !Arrays.equals(s.channels(), arch.channels())) {
                throw CoverException.usage("--channels " + join(s.channels()) + " differs from the checkpoint's " + join(arch.channels())
                        + " (--init " + initPath + "); leave --channels out to take the checkpoint's");
            }
            return arch.channels();
        }
        return BackboneSpec.unet(s.channels()).channels(); // validated, with --channels messages
    }

    private static DataSource labelFraction(DataSource src, FinetuneSettings s, Task task) {
        if (s.labelFraction() >= 1) return src;
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < src.size(); i++) idx.add(i);
        FileDataset fd = src.dataset() instanceof FileDataset f ? f : null;
        List<Integer> kept = Splits.labelFraction(idx, i -> task == Task.CLS && fd != null ? fd.entries().get(i).classIndex() : 0,
                s.labelFraction(), new Rng(s.seed()).derive(LABEL_FRACTION_STREAM));
        int[] keep = kept.stream().mapToInt(Integer::intValue).toArray();
        Dataset sub = src.dataset().subset(keep);
        return new DataSource(sub, src.classNames(), src.where());
    }

    private static int numClasses(int declared, Task task, List<Case> train, List<Case> val, List<String> names, DataSource trainSrc) {
        int seen = Math.max(Cases.classesSeen(train), Cases.classesSeen(val));
        int k = declared > 0 ? declared : names != null ? names.size() : seen;
        if (names != null && declared > 0 && declared != names.size()) {
            throw CoverException.usage("--classes " + declared + " but " + trainSrc.where() + " has " + names.size() + " classes " + names);
        }
        if (k < 2) {
            throw CoverException.usage(trainSrc.where() + ": " + (task == Task.SEG ? "the label maps hold only background (0)"
                    : "only one class") + "; at least 2 classes are needed");
        }
        return k;
    }

    private static void checkValLabels(List<Case> cases, int k, String where) {
        for (Case c : cases) {
            if (c.labels() != null) {
                for (int v : c.labels()) {
                    if (v >= k) throw CoverException.usage(where + ": " + c.source() + " has label " + v + ", outside the " + k + " classes of the training data");
                }
            } else if (c.classIndex() >= k) {
                throw CoverException.usage(where + ": " + c.source() + " has class " + c.classIndex() + ", outside the " + k + " training classes");
            }
        }
    }

    private static FineTuner.Progress progress(Map<?, ?> doc) {
        return new FineTuner.Progress(((Number) doc.get("step")).longValue(), number(doc.get("best_metric")),
                ((Number) doc.get("best_step")).longValue(), ((Number) doc.get("since_best")).intValue(), Boolean.TRUE.equals(doc.get("stopped")));
    }

    private static double number(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        return Double.parseDouble(String.valueOf(o));
    }

    /** Removes the files of an earlier fine-tuned model in {@code out} (only those, never other files). */
    static void clear(Path out) {
        try {
            for (String f : List.of(ModelFiles.MODEL_JSON, ModelFiles.BEST, ModelFiles.LAST, ModelFiles.LAST_OPTIM, ModelFiles.STATE_JSON, "metrics.csv")) {
                Files.deleteIfExists(out.resolve(f));
            }
            try (var files = Files.list(out)) {
                for (Path p : files.filter(p -> p.getFileName().toString().matches("step-\\d+\\.(json|safetensors|optim\\.safetensors)")).toList()) {
                    Files.delete(p);
                }
            }
            Path test = out.resolve("test");
            for (String f : List.of("metrics.json", "per_case.csv")) Files.deleteIfExists(test.resolve(f));
        } catch (IOException e) {
            throw CoverException.file(out, "cannot remove the earlier model (" + e.getMessage() + ")");
        }
    }

    static int[] repeat(int v, int n) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    private static String join(int[] a) {
        return String.join(",", Arrays.stream(a).mapToObj(Integer::toString).toList());
    }

    /**
     * A resumed run continues on the training cases it started with: the listing (case names and files) must hash as the
     * one recorded in its provenance, unless {@code allowed} ({@code --allow-data-change}).
     */
    private static void checkSameTrainingCases(Map<String, Object> modelDoc, List<Case> train, String where, boolean allowed, Path out) {
        Object prov = modelDoc == null ? null : modelDoc.get("provenance");
        String recorded = prov == null ? null : Provenance.fromMap(prov).dataHash();
        if (recorded == null || allowed || recorded.equals(listingHash(train))) return;
        throw CoverException.usage("--resume: the training cases of " + where + " (" + train.size() + " now) are not those the run in "
                + out + " started with (their listing hash differs); use --allow-data-change to continue anyway");
    }

    private static String listingHash(List<Case> cases) {
        StringBuilder sb = new StringBuilder();
        for (Case c : cases) sb.append(c.id()).append('\t').append(c.source()).append('\n');
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.cover4j.cli;

import org.cover4j.downstream.FineTuner;
import org.cover4j.downstream.FinetuneComparison;
import org.cover4j.downstream.FinetuneSettings;
import org.cover4j.downstream.FinetuneRestarts;
import org.cover4j.downstream.Finetuning;
import org.cover4j.downstream.ModelFiles;
import org.cover4j.train.RunLock;
import org.cover4j.train.StopSignal;
import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/** {@code cover4j finetune}: fine-tune or linearly probe a (pre-trained) U-Net for segmentation or classification. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        header = "Fine-tune (or linearly probe) a pre-trained U-Net for segmentation or classification.",
        description = {"", "Segmentation: U-Net + 1x1 convolution on the finest level; loss = soft Dice (foreground classes) + "
                + "cross-entropy; random patches, a share of them centred on foreground; Gaussian sliding-window validation. "
                + "Classification: global average pooling of the deepest level + a linear layer; cross-entropy.", "",
                "Data: for --task seg a folder with images/ and labels/ (matched by file name) or a CSV image,label; for --task cls "
                        + "a folder with one sub-folder per class or a CSV image,class; or --preset NAME --data DIR.", "",
                "Writes OUT/best.safetensors (best validation step) + OUT/model.json (what predict/evaluate need), OUT/metrics.csv, "
                        + "the resumable state OUT/step-N.* + OUT/train-state.json (OUT/last.safetensors: its weights), and with --test "
                        + "OUT/test/metrics.json.", "",
                "With --init RUN --compare-scratch N: N seeds fine-tuned from RUN and from scratch, paired, into OUT/pretrained/ and "
                        + "OUT/scratch/, with the paired comparison in OUT/comparison.md.", "",
                "One run per --out (a lock file OUT/.cover4j.lock). SIGTERM or Ctrl-C finish the current step, save the resumable "
                        + "state and exit with 143 or 130; --resume continues exactly.", ""})
public final class FinetuneCommand implements Callable<Integer> {
    @Mixin
    Options common;

    @Mixin
    PrecisionOption precision;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--task", required = true, paramLabel = "seg|cls", description = "seg (segmentation) or cls (classification).")
    String task;

    @Option(names = "--train", paramLabel = "DIR|CSV", description = "Training data (see above).")
    Path train;

    @Option(names = "--val", paramLabel = "DIR|CSV", description = "Validation data; picks the best checkpoint.")
    Path val;

    @Option(names = "--test", paramLabel = "DIR|CSV", description = "Test data, scored with the best weights after training.")
    Path test;

    @Option(names = "--preset", paramLabel = "NAME", description = "A data set preset (cover4j info --presets), with --data.")
    String preset;

    @Option(names = "--data", paramLabel = "DIR", description = "Data folder of --preset.")
    Path data;

    @Option(names = "--init", paramLabel = "CKPT", description = "Pre-trained weights: a cover4j pre-training folder or checkpoint (last.safetensors/last.json), "
            + "or a reference state dict (.npz/.safetensors). Only backbone.* is used; without --init the network starts from scratch.")
    Path init;

    @Option(names = "--mode", defaultValue = "finetune", paramLabel = "MODE", description = "finetune (all parameters) or linear (frozen backbone, head only) (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cover4j-out/finetune", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--dim", paramLabel = "D", description = "2 or 3 (default: the checkpoint's, else from the first training image).")
    Integer dim;

    @Option(names = "--patch", paramLabel = "N[,N..]", split = ",", description = "Patch size (segmentation) or input size (classification), "
            + "multiples of 16; one value for all axes (default: " + Finetuning.DEFAULT_PATCH_2D + " in 2D, " + Finetuning.DEFAULT_PATCH_3D + " in 3D).")
    int[] patch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "500", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", description = "Patches or images per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-4", description = "Adam learning rate (default: ${DEFAULT-VALUE}, the paper's).")
    double lr;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0", description = "Adam's L2 weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--classes", paramLabel = "K", description = "Number of classes, background included (default: from the labels).")
    Integer classes;

    @Option(names = "--class-weights", paramLabel = "W,...", split = ",", description = "Classification: cross-entropy weight per class.")
    double[] classWeights;

    @Option(names = "--label-fraction", paramLabel = "F", defaultValue = "1", description = "Keep a seeded fraction of the labelled training cases, e.g. 0.25 (default: ${DEFAULT-VALUE}).")
    double labelFraction;

    @Option(names = "--foreground-oversample", paramLabel = "P", defaultValue = "0.33", description = "Share of patches centred on a foreground voxel (default: ${DEFAULT-VALUE}).")
    double foregroundOversample;

    @Option(names = "--val-every", paramLabel = "N", defaultValue = "50", description = "Validate (and save the resumable state) every N steps (default: ${DEFAULT-VALUE}).")
    int valEvery;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0", description = "Stop after N validations without improvement (default: ${DEFAULT-VALUE} = never).")
    int patience;

    @Option(names = "--normalize", paramLabel = "KIND", defaultValue = "auto", description = "Intensity normalisation: auto (8-bit /255, else percentiles 0.5-99.5, as pre-training), "
            + "none, div:255, minmax, clip:LO,HI, zscore, zscore-nonzero, pct:PLO,PHI (default: ${DEFAULT-VALUE}).")
    String normalize;

    @Option(names = "--binary-labels", description = "Read label maps as masks: every non-zero value is class 1 (0/255 PNG masks).")
    boolean binaryLabels;

    /** --backbone, its size and options, --channels (default: the --init checkpoint's, else the U-Net's defaults). */
    @Mixin
    BackboneOptions backboneOptions = new BackboneOptions();

    @Option(names = "--clip", paramLabel = "NORM", description = "Clip the gradients' total norm to NORM (default: no clipping; the norm is "
            + "still checked, and a step with a non-finite one is skipped).")
    Double clip;

    @Option(names = "--schedule", paramLabel = "KIND", defaultValue = "constant", description = "Learning-rate schedule: constant or cosine (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0", description = "Linear learning-rate warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--backbone-lr-scale", paramLabel = "F", description = "The backbone learns at F × --lr, the head at --lr "
            + "(e.g. 0.1 to keep pre-trained features; default: 1).")
    Double backboneLrScale;

    @Option(names = "--head-warmup", paramLabel = "N", defaultValue = "0", description = "Train only the head for the first N steps "
            + "(the backbone frozen, as a linear probe), then everything: linear-probe-then-fine-tune (default: ${DEFAULT-VALUE}).")
    int headWarmup;

    @Option(names = "--probe-level", paramLabel = "L", description = "With --mode linear: probe feature level L, 0 (finest, full "
            + "resolution) to 4 (1/16). Segmentation: a 1x1 convolution on level L whose logits are upsampled bilinearly to full "
            + "resolution; classification: pooling of level L (default: 0 for seg, 4 for cls, the usual heads).")
    Integer probeLevel;

    @Option(names = "--init-scope", paramLabel = "all|encoder", description = "What --init loads into the backbone: all of it, "
            + "or only the encoder (U-Net: inc, down1..down4), the decoder keeping its fresh initialisation (default: all; for U-KAN "
            + "encoder, whose pre-trained decoder fine-tuned worse than a fresh one in our measurements).")
    String initScope;

    @Option(names = "--init-shrink", paramLabel = "F", description = "Shrink and perturb the --init weights: each loaded backbone "
            + "tensor becomes F × pre-trained + (1 − F) × the seed's fresh initialisation (Ash & Adams 2020; default: 1, the "
            + "pre-trained weights as they are).")
    Double initShrink;

    @Option(names = "--max-bad-steps", paramLabel = "N", defaultValue = "5", description = "Stop after this many consecutive non-finite steps (default: ${DEFAULT-VALUE}).")
    int maxBadSteps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random number of the run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--restarts", paramLabel = "K", description = "Fine-tune K times, with seeds --seed, --seed + 1, ..., "
            + "each into OUT/seed-N/, and keep the run with the best validation score: its model becomes OUT's, and only it "
            + "is scored on --test (OUT/restarts.json lists every run). With a few labelled images the seed alone moves the "
            + "result by about ±0.1 Dice, and validation follows test closely: on Colin27 the best of 3 by validation "
            + "scored +0.07 above a single run (README) (default: 1).")
    Integer restarts;

    @Option(names = "--compare-scratch", paramLabel = "N", description = "Compare --init with scratch: fine-tune N seeds (--seed, "
            + "--seed + 1, ...) once from --init into OUT/pretrained/seed-S/ and once from scratch into OUT/scratch/seed-S/ (same network, "
            + "patch, data order and head initialisation), score both on --test, and write the paired difference, paired t-test and "
            + "sign test to OUT/comparison.md and comparison.json. With a few labelled images one pair of runs says little: the seed "
            + "alone moves a run by about ±0.1 Dice. --resume continues a comparison (finished runs are kept).")
    Integer compareScratch;

    @Option(names = "--resume", description = "Continue the run in --out from its last state (only --steps, --device may change).")
    boolean resume;

    @Option(names = "--allow-data-change", description = "With --resume: continue even if the training cases changed since the run started.")
    boolean allowDataChange;

    @Option(names = "--verbose", description = "Also list the names of the tensors --init loads, skips and newly initialises.")
    boolean verbose;

    @Option(names = "--force", description = "Replace a fine-tuned model already in --out.")
    boolean force;

    /** Options whose value a resumed run must keep, with the settings component each sets. */
    private static final Map<String, String> KEPT_ON_RESUME = new LinkedHashMap<>();

    static {
        String[][] pairs = {{"--task", "task"}, {"--train", "train"}, {"--val", "val"}, {"--test", "test"}, {"--preset", "preset"},
                {"--data", "data"}, {"--init", "init"}, {"--mode", "mode"}, {"--dim", "dims"}, {"--patch", "patch"}, {"--batch", "batch"},
                {"--lr", "lr"}, {"--weight-decay", "weightDecay"}, {"--seed", "seed"}, {"--classes", "classes"},
                {"--class-weights", "classWeights"}, {"--label-fraction", "labelFraction"}, {"--foreground-oversample", "foregroundOversample"},
                {"--val-every", "valEvery"}, {"--patience", "patience"}, {"--normalize", "normalization"}, {"--binary-labels", "binaryLabels"},
                {"--channels", "channels"}, {"--threads", "threads"}, {"--clip", "clip"}, {"--schedule", "schedule"},
                {"--warmup", "warmup"}, {"--backbone-lr-scale", "backboneLrScale"}, {"--head-warmup", "headWarmup"},
                {"--probe-level", "probeLevel"}, {"--init-scope", "initScope"}, {"--init-shrink", "initShrink"}, {"--precision", "precision"}};
        for (String[] p : pairs) KEPT_ON_RESUME.put(p[0], p[1]);
    }

    @Override
    public Integer call() {
        FinetuneSettings given = settings();
        try (RunLock lock = RunLock.acquire(out, "--out", "cover4j finetune", System.err)) {
            lock.removeStaleTemporaries();
            return train(given);
        }
    }

    /** The run, with {@code out} locked for this process. */
    private int train(FinetuneSettings given) {
        FinetuneComparison.Started comparison = resume ? FinetuneComparison.started(out) : null;
        if (compareScratch != null || comparison != null) return compare(given, comparison);
        FinetuneRestarts.Started started = resume ? FinetuneRestarts.started(out) : null;
        int k = restarts(started);
        if (started != null) given = given.withSeed(started.firstSeed());
        if (resume) checkResume(given, k > 1 ? FinetuneRestarts.runDir(out, given.seed()) : out);
        String cmdLine = String.join(" ", spec.commandLine().getParseResult().originalArgs());
        String resumeCommand = resumeCommand();
        Finetuning.Result r;
        Map<String, Object> testMetrics;
        Path runDir = out;
        try (StopSignal stop = StopSignal.install(System.err, resumeCommand)) {
            if (k > 1) {
                FinetuneRestarts.Outcome outcome = FinetuneRestarts.run(given, k, started, resume, force, out, System.err, cmdLine, verbose,
                        allowDataChange, stop);
                r = outcome.kept();
                runDir = outcome.keptDir();
                testMetrics = outcome.testMetrics();
            } else {
                r = Finetuning.run(given, resume, force, out, System.err, cmdLine, true, verbose, allowDataChange, stop);
                testMetrics = r.testMetrics();
            }
            if (r.interrupted()) {
                FineTuner.Progress p = r.progress();
                throw new CoverException("interrupted by " + stop.signalName() + (p.step() > 0 ? " at step " + p.step() + "; state saved: "
                        + runDir.resolve(ModelFiles.STATE_JSON) + "; resume with: " + resumeCommand : " before the first step; nothing was saved; "
                        + "run the command again"), stop.exitCode(), null);
            }
        }
        PrintWriter o = spec.commandLine().getOut();
        FineTuner.Progress p = r.progress();
        o.printf(Locale.ROOT, "done: step %d%s, best val %s %.4f at step %d%s%n", p.step(), p.stopped() ? " (stopped early)" : "",
                r.spec().task().metric(), p.bestMetric(), p.bestStep(), k > 1 ? " (kept " + runDir.getFileName() + " of " + k + " restarts, "
                + out.resolve(FinetuneRestarts.SUMMARY) + ")" : "");
        o.printf("  model: %s (%s, %s)%n  metrics: %s%n", out, ModelFiles.MODEL_JSON, ModelFiles.BEST, out.resolve("metrics.csv"));
        if (testMetrics != null) {
            String key = r.spec().task().metric();
            o.printf(Locale.ROOT, "  test: %s %.4f (%s)%n", key, ((Number) testMetrics.get(key)).doubleValue(), out.resolve("test/metrics.json"));
        }
        o.flush();
        return 0;
    }

    /** {@code --compare-scratch N}: the paired comparison of --init with scratch, with {@code out} locked for this process. */
    private int compare(FinetuneSettings given, FinetuneComparison.Started started) {
        if (restarts != null && restarts != 1) throw CoverException.usage("--compare-scratch and --restarts cannot be combined; run one or the other");
        Path summary = out.resolve(FinetuneComparison.SUMMARY);
        int n = compareScratch != null ? compareScratch : started.seeds();
        if (started != null) {
            if (n != started.seeds()) {
                throw CoverException.usage("--compare-scratch " + n + " differs from the saved comparison's " + started.seeds() + " (" + summary
                        + "); a resumed run keeps its configuration");
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--seed") && seed != started.firstSeed()) {
                throw CoverException.usage("--seed " + seed + " differs from the saved comparison's " + started.firstSeed() + " (" + summary
                        + "); a resumed run keeps its configuration");
            }
            given = given.withSeed(started.firstSeed());
        }
        if (resume) checkResume(given, FinetuneComparison.runDir(out, FinetuneComparison.PRETRAINED, given.seed()));
        String cmdLine = String.join(" ", spec.commandLine().getParseResult().originalArgs());
        String resumeCommand = resumeCommand();
        FinetuneComparison.Outcome outcome;
        try (StopSignal stop = StopSignal.install(System.err, resumeCommand)) {
            outcome = FinetuneComparison.run(given, n, started, resume, force, out, System.err, cmdLine, verbose, allowDataChange, stop);
            if (outcome.interrupted() != null) {
                FineTuner.Progress p = outcome.interrupted().progress();
                throw new CoverException("interrupted by " + stop.signalName() + (p.step() > 0 ? " at step " + p.step() + " of "
                        + outcome.interruptedDir() + "; the finished runs and this run's state are saved; resume with: " + resumeCommand
                        : " before the first step of " + outcome.interruptedDir() + "; the finished runs are saved; resume with: " + resumeCommand),
                        stop.exitCode(), null);
            }
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf("done: %d seeds from %d%n  %s%n  report: %s (%s)%n", n, given.seed(), FinetuneComparison.line(outcome.summary()),
                out.resolve(FinetuneComparison.REPORT), summary);
        o.flush();
        return 0;
    }

    /** The command that continues this run (or these runs) after an interruption. */
    private String resumeCommand() {
        return "cover4j finetune --task " + Quoting.shell(task) + " --out " + Quoting.shell(out.toString()) + " --resume";
    }

    /** How many restarts: --restarts, or on --resume what the saved restarts were started with (which --restarts and --seed must match). */
    private int restarts(FinetuneRestarts.Started started) {
        if (restarts != null && restarts < 1) throw CoverException.usage("--restarts must be at least 1, got " + restarts);
        if (started == null) return restarts == null ? 1 : restarts;
        Path summary = out.resolve(FinetuneRestarts.SUMMARY);
        if (restarts != null && restarts != started.restarts()) {
            throw CoverException.usage("--restarts " + restarts + " differs from the saved run's " + started.restarts() + " (" + summary
                    + "); a resumed run keeps its configuration");
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--seed") && seed != started.firstSeed()) {
            throw CoverException.usage("--seed " + seed + " differs from the saved run's " + started.firstSeed() + " (" + summary
                    + "); a resumed run keeps its configuration");
        }
        return started.restarts();
    }

    FinetuneSettings settings() {
        return new FinetuneSettings(task, str(train), str(val), str(test), preset, str(data), str(init), mode,
                dim == null ? 0 : dim, patch, batch, steps, lr, weightDecay, seed, classes == null ? 0 : classes, classWeights,
                labelFraction, foregroundOversample, valEvery, patience, normalize, binaryLabels, backboneOptions.channels, common.threadsOrDefault(),
                common.device, clip, schedule, warmup, maxBadSteps, backboneLrScale, headWarmup, probeLevel, initScope, initShrink, otherBackbone(),
                precision.value().label());
    }

    private static String str(Path p) {
        return p == null ? null : p.toString();
    }

    /**
     * A resumed run keeps its configuration: any explicitly given option must agree with the one saved in {@code dir}
     * (of restarts, the first run's; their seeds and test set are checked apart).
     */
    private void checkResume(FinetuneSettings given, Path dir) {
        if (!dir.equals(out) && !ModelFiles.holdsModel(dir)) return; // restarts stopped before their first run saved anything
        FinetuneSettings saved = ModelFiles.savedSettings(dir);
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        for (Map.Entry<String, String> e : KEPT_ON_RESUME.entrySet()) {
            if (!pr.hasMatchedOption(e.getKey())) continue;
            if (!dir.equals(out) && (e.getKey().equals("--seed") || e.getKey().equals("--test"))) continue;
            Object a = component(saved, e.getValue());
            Object b = component(given, e.getValue());
            if (!Objects.deepEquals(a, b)) {
                throw CoverException.usage(e.getKey() + " " + show(b) + " differs from the saved run's " + show(a) + " ("
                        + dir.resolve(ModelFiles.STATE_JSON) + "); a resumed run keeps its configuration");
            }
        }
    }

    private static Object component(FinetuneSettings s, String name) {
        try {
            for (RecordComponent rc : FinetuneSettings.class.getRecordComponents()) {
                if (rc.getName().equals(name)) return rc.getAccessor().invoke(s);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no settings component " + name);
    }

    private static String show(Object o) {
        if (o instanceof int[] a) return java.util.Arrays.toString(a);
        if (o instanceof double[] a) return java.util.Arrays.toString(a);
        return String.valueOf(o);
    }

    /** The backbone the options name when it is not the U-Net (validated either way); the U-Net is described by --channels. */
    private org.cover4j.nn.BackboneSpec otherBackbone() {
        org.cover4j.nn.BackboneSpec given = backboneOptions.spec();
        return given.kind().isUnet() ? null : given;
    }
}

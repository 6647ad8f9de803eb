package org.cover4j.cli;

import org.bytedeco.pytorch.Device;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.pretrain.Methods;
import org.cover4j.pretrain.PretrainConfig;
import org.cover4j.pretrain.PretrainImages;
import org.cover4j.pretrain.PretrainRun;
import org.cover4j.pretrain.PretrainSettings;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.Pretraining;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Torch;
import org.cover4j.train.Optimizer;
import org.cover4j.train.Checkpoints;
import org.cover4j.train.MemoryEstimate;
import org.cover4j.train.Provenance;
import org.cover4j.train.RunLock;
import org.cover4j.train.StopSignal;
import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cover4j pretrain}: self-supervised COVER pre-training on a folder of images or the built-in phantoms. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        header = "Pre-train a U-Net with COVER (or a comparison method) on unlabelled 2D images or 3D volumes.",
        description = {"", "Reads every image in --data (PNG/JPEG/BMP/TIFF or 2D NIfTI for --dim 2; NIfTI .nii/.nii.gz or MetaImage "
                + "for --dim 3), or without --data uses built-in synthetic phantoms. Writes OUT/metrics.csv (a row per step) "
                + "and OUT/checkpoints/{step-N,last}.{safetensors,json}. The weights use the reference PyTorch model's "
                + "state_dict names.", "",
                "One run per --out (a lock file OUT/.cover4j.lock). SIGTERM or Ctrl-C finish the current step, save a checkpoint "
                        + "and exit with 143 or 130; 'cover4j pretrain --out OUT --resume' continues exactly.", "",
                "Defaults follow the paper (Adam 1e-4, appearance operations each with probability 0.9); "
                        + "--reference reproduces the released code instead (all five operations always, blur a no-op, "
                        + "lr scaled by batch/256).", ""})
public final class PretrainCommand implements Callable<Integer> {
    @Mixin
    Options common;

    @Mixin
    PrecisionOption precision;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "cover", description = "Pre-training method: ${COMPLETION-CANDIDATES} "
            + "(default: ${DEFAULT-VALUE}; 'cover4j info --methods' says what each does). Every method trains with the same optimizer "
            + "by default (Adam, --lr, --schedule) for a fair comparison; --optimizer sgd gives the originals' SGD where they used it "
            + "(rotation: --optimizer sgd --lr 0.1 --momentum 0.9 --nesterov --weight-decay 5e-4). Each method's own options are listed below.",
            completionCandidates = MethodNames.class)
    String method;

    /** The methods' own option groups (added to this command's spec by {@link Main#commandLine}). */
    MethodOptionGroups methodOptions;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder of unlabelled images (default: built-in synthetic phantoms).")
    Path data;

    @Option(names = "--preset", paramLabel = "NAME", description = "A data set preset (e.g. ChestX-ray8, PPMI; see the README) whose layout and preprocessing apply to --data.")
    String preset;

    @Option(names = "--dim", defaultValue = "2", description = "2 for images, 3 for volumes (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--size", paramLabel = "N", description = "Crop size fed to the network, a multiple of 16 (default: 128 in 2D, 64 in 3D). Images are resized to 1.5×N first, as in the reference.")
    Integer size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "" + PretrainSettings.DEFAULT_STEPS, description = "Training steps (default: ${DEFAULT-VALUE}, about 36 minutes on 2 cores at the default size and batch).")
    int steps;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-4", description = "Learning rate (default: ${DEFAULT-VALUE}, the paper's).")
    double lr;

    @Option(names = "--lr-scaling", paramLabel = "MODE", defaultValue = "none", description = "none, or batch256 to multiply --lr by batch/256 as the reference code does (default: ${DEFAULT-VALUE}).")
    String lrScaling;

    @Option(names = "--schedule", paramLabel = "KIND", defaultValue = "constant", description = "constant or cosine (default: ${DEFAULT-VALUE}; the reference computes a cosine schedule but never applies it).")
    String schedule;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--optimizer", paramLabel = "KIND", defaultValue = "adam", description = "adam (every method's default, the "
            + "paper's for COVER, for a fair comparison) or sgd (with --momentum and --nesterov: the original optimizer of Models "
            + "Genesis, SimSiam and rotation prediction; see each method's section) (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum for --optimizer sgd.")
    boolean nesterov;

    @Option(names = "--resize", paramLabel = "square|none", defaultValue = "square", description = "square: resize every --data image "
            + "to 1.5 x --size on every axis, views cut from that (the reference); none: keep each image's pixel spacing, centre-cropped "
            + "or zero-padded to 1.5 x --size, so that pre-training sees the scale fine-tuning sees (default: ${DEFAULT-VALUE}).")
    String resize;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "1e-4", description = "Coupled L2 weight decay, as PyTorch's Adam and SGD (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--clip", paramLabel = "NORM", defaultValue = "1.0", description = "Gradient-norm clipping (default: ${DEFAULT-VALUE}).")
    double clip;

    @picocli.CommandLine.Mixin
    BackboneOptions backboneOptions = new BackboneOptions();

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random number of the run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--workers", paramLabel = "N", description = "Threads making view pairs in the background (default: 1).")
    Integer workers;

    @Option(names = "--demo-images", paramLabel = "N", defaultValue = "64", description = "Number of synthetic phantoms when --data is not given (default: ${DEFAULT-VALUE}).")
    int demoImages;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cover4j-out/pretrain", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (only --steps, --workers and --device may change).")
    boolean resume;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "100", description = "Checkpoint interval in steps (default: ${DEFAULT-VALUE}); the last step is always saved.")
    int checkpointEvery;

    @Option(names = "--init", paramLabel = "FILE", description = "Start from these weights: a cover4j checkpoint (.safetensors) or a reference state dict (.npz or .safetensors).")
    Path init;

    @Mixin
    MemoryOptions memory = new MemoryOptions();

    @Option(names = "--profile", description = "Time every operation of the training step (convolutions per resolution, "
            + "GroupNorm, pooling, upsampling, MoV, warps, losses, optimizer, data wait, ...) and print a table of calls, ms "
            + "and share per step at the end; the first step is left out as warm-up when there are more. Results are unchanged.")
    boolean profile;

    @Option(names = "--max-bad-steps", paramLabel = "N", defaultValue = "5", description = "Stop after this many consecutive non-finite steps (default: ${DEFAULT-VALUE}).")
    int maxBadSteps;

    @Option(names = "--keep-checkpoints", paramLabel = "N", defaultValue = "3", description = "Keep the N newest checkpoints, each with its "
            + "optimizer state so that a resume can fall back to it (default: ${DEFAULT-VALUE}; the newest is never removed).")
    int keepCheckpoints;

    @Option(names = "--keep-every", paramLabel = "K", defaultValue = "0", description = "Also keep the checkpoint of every K-th step forever, "
            + "as milestones (default: ${DEFAULT-VALUE} = none).")
    int keepEvery;

    @Option(names = "--allow-data-change", description = "With --resume: continue although the data folder or its listing (names, sizes, "
            + "modification times) changed since the checkpoint; the change is recorded in the checkpoint's provenance.")
    boolean allowDataChange;

    /** The registered method names, for {@code --help}. */
    static final class MethodNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Methods.names().iterator();
        }
    }

    @Override
    public Integer call() {
        PrintStream log = System.err;
        Torch.load();
        PretrainConfig given = fromOptions();
        PretrainRun.Retention retention = new PretrainRun.Retention(keepCheckpoints, keepEvery);
        try (RunLock lock = RunLock.acquire(out, "--out", "cover4j pretrain", log)) {
            lock.removeStaleTemporaries("checkpoints");
            return train(given, retention, log);
        }
    }

    /** The run, with {@code out} locked for this process. */
    private int train(PretrainConfig given, PretrainRun.Retention retention, PrintStream log) {
        Checkpoints checkpoints = new Checkpoints(out.resolve("checkpoints"));
        PretrainConfig config = given;
        Checkpoints.Loaded resumed = null;
        if (resume) {
            resumed = checkpoints.latest(log).orElseThrow(() -> CoverException.usage("--resume: " + checkpoints.lastJson()
                    + " does not exist; nothing to resume"));
            config = resumedConfig(PretrainConfig.fromCheckpoint(resumed), given);
            if (resumed.step() >= config.common().steps()) {
                log.printf("%s is already at step %d of %d; nothing to do (raise --steps to train longer)%n", out, resumed.step(), config.common().steps());
                return 0;
            }
            if (resumed.optimizer() == null) throw CoverException.file(resumed.json(), "optimizer state is missing; cannot resume exactly");
        } else if (checkpoints.any()) {
            throw CoverException.usage("--out " + out + " already holds a run (" + checkpoints.lastJson().getParent()
                    + "); use --resume to continue it or choose another --out");
        }
        PretrainSettings settings = config.common();
        int[] crop = new int[settings.dims()];
        java.util.Arrays.fill(crop, settings.size());
        config.backbone().checkInput(settings.dims(), crop, "--size");
        if (config.backbone().channels() != null) MemoryEstimate.check(config.backbone().channels(), crop, settings.batch(), settings.device(), "--size");
        List<String> dataChanges = resumed == null ? List.of() : dataPathChanges(resumed, settings);
        Torch.setThreads(settings.threads());
        Device device = Devices.parse(settings.device());
        PretrainImages images = Pretraining.images(settings, log);
        if (resumed != null) dataChanges = listingChanges(resumed, images, dataChanges);
        PretrainMethod<?> method = Pretraining.method(config, device);
        method.memoryMode(memory.mode());
        if (init != null && resumed == null) {
            StateDicts.StateDict sd = StateDicts.read(init);
            method.state().load(sd.values(), sd.shapes(), sd.file().toString());
        }
        long startStep = 0;
        String resumeCommand = "cover4j pretrain --out " + Quoting.shell(out.toString()) + " --resume";
        try (Optimizer optimizer = settings.newOptimizer(method.trainable())) {
            if (resumed != null) {
                method.state().load(resumed.weights(), resumed.shapes(), resumed.json().toString());
                optimizer.load(resumed.optimizer(), resumed.optimizerShapes(), resumed.optimizerStep(), String.valueOf(resumed.optimizerFile()));
                startStep = resumed.step();
                log.printf("resuming %s at step %d of %d%n", out, startStep, settings.steps());
            }
            Provenance prov = Provenance.of(images.description(), images.listingHash(), String.join(" ", spec.commandLine().getParseResult().originalArgs()))
                    .withDataPath(realPath(settings.data())).withDataChanges(dataChanges);
            log.printf(Locale.ROOT, "pre-training %s %dD: %,d parameters, %d images, crop %d, batch %d, lr %.3g, %d threads, device %s, %s%n",
                    settings.method(), settings.dims(), method.trainable().count(), images.size(), settings.size(), settings.batch(),
                    settings.effectiveLr(), settings.threads(), settings.device(), settings.precision());
            PretrainRun<?> run = PretrainRun.of(config, method, images, log, true);
            PretrainRun.Result r;
            try (StopSignal stop = StopSignal.install(log, resumeCommand)) {
                run.loop().stopOn(stop);
                if (profile) {
                    Profiling.start(device);
                    long first = startStep + 1;
                    if (settings.steps() > first) run.loop().afterEachStep(step -> { if (step == first) org.cover4j.torch.Profiler.reset(); });
                }
                try {
                    r = run.run(out, optimizer, startStep, prov, retention);
                } finally {
                    if (profile) Profiling.finish(spec.commandLine().getOut(), "pretrain " + settings.method() + " " + settings.dims() + "D, batch "
                            + settings.batch() + ", crop " + settings.size() + ", " + settings.threads() + " threads");
                }
                if (r.interrupted()) {
                    boolean saved = r.lastStep() > startStep;
                    throw new CoverException("interrupted by " + stop.signalName() + (saved ? " at step " + r.lastStep() + " of " + settings.steps()
                            + "; checkpoint saved: " + r.checkpoint() : " before the first step; " + (resumed != null ? "the checkpoint of step "
                            + startStep + " is unchanged" : "nothing was saved")) + (saved || resumed != null ? "; resume with: " + resumeCommand
                            : "; run the command again"), stop.exitCode(), null);
                }
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "done: step %d, %s%n  metrics: %s%n  weights: %s%n",
                    r.lastStep(), formatLosses(r.lastLosses()), out.resolve("metrics.csv"), checkpoints.lastWeights());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /** The canonical path of a data folder ("" for the generated phantoms, or a folder that is gone). */
    static String realPath(String data) {
        if (data == null) return "";
        try {
            return Path.of(data).toRealPath().toString();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /**
     * A resumed run's data folder must be the one the checkpoint recorded (compared as canonical paths, so another
     * spelling or a link to the same folder is fine); with --allow-data-change the change is returned for the provenance.
     */
    private List<String> dataPathChanges(Checkpoints.Loaded resumed, PretrainSettings settings) {
        List<String> changes = new java.util.ArrayList<>(resumed.provenance().dataChanges());
        String recorded = resumed.provenance().dataPath();
        String now = realPath(settings.data());
        if (recorded.isEmpty() || recorded.equals(now)) return changes;
        String what = "the data folder " + (now.isEmpty() ? settings.data() + " (not found)" : now) + " is not the checkpoint's " + recorded;
        if (!allowDataChange) {
            throw CoverException.usage("--resume: " + what + " (" + resumed.json() + "); give --data with the original folder, or "
                    + "--allow-data-change to continue on this one");
        }
        changes.add("step " + resumed.step() + ": " + what);
        return changes;
    }

    /** The listing (names, sizes, modification times) must be the checkpoint's, unless --allow-data-change. */
    private List<String> listingChanges(Checkpoints.Loaded resumed, PretrainImages images, List<String> changes) {
        String recorded = resumed.provenance().dataHash();
        if (recorded.isEmpty() || recorded.equals(images.listingHash())) return changes;
        String what = "the data listing changed (SHA-256 " + recorded + " in the checkpoint, " + images.listingHash() + " now: "
                + images.description() + ")";
        if (!allowDataChange) {
            throw CoverException.usage("--resume: " + what + " (" + resumed.json() + "); files were added, removed, resized or modified; "
                    + "restore them, or give --allow-data-change to continue on the changed data");
        }
        List<String> all = new java.util.ArrayList<>(changes);
        all.add("step " + resumed.step() + ": " + what);
        return all;
    }

    static String formatLosses(Map<String, Double> l) {
        StringBuilder sb = new StringBuilder();
        l.forEach((k, v) -> sb.append(sb.length() > 0 ? ", " : "").append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }

    PretrainConfig fromOptions() {
        if (preset != null && data == null) throw CoverException.usage("--preset " + preset + " needs --data DIR (the data set's folder)");
        Methods.Entry entry = Methods.get(method);
        methodOptions.check(method, spec.commandLine().getParseResult());
        boolean reference = methodOptions.get(org.cover4j.pretrain.cover.CoverViewOptions.class).reference;
        PretrainSettings s = PretrainSettings.builder().method(method).data(data == null ? null : data.toString()).preset(preset)
                .demoImages(demoImages).dims(dim).size(size).batch(batch).steps(steps).lr(lr)
                .lrScaling(reference ? "batch256" : lrScaling).schedule(schedule).warmup(warmup).weightDecay(weightDecay).clipNorm(clip)
                .seed(seed).threads(common.threadsOrDefault()).workers(workers != null ? workers : 1).device(common.device)
                .checkpointEvery(checkpointEvery).maxBadSteps(maxBadSteps).optimizer(optimizer).momentum(momentum).nesterov(nesterov)
                .resize(resize).precision(precision.value().label()).build();
        return new PretrainConfig(s, entry.fromOptions().apply(s, methodOptions), backboneOptions.spec());
    }

    /** The checkpoint's configuration with the few allowed overrides; any other explicitly given option must agree. */
    PretrainConfig resumedConfig(PretrainConfig saved, PretrainConfig given) {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        PretrainSettings s = saved.common();
        PretrainSettings g = given.common();
        List<String[]> checks = List.of(
                new String[] {"--method", s.method(), g.method()},
                new String[] {"--dim", "" + s.dims(), "" + g.dims()},
                new String[] {"--size", "" + s.size(), "" + g.size()},
                new String[] {"--batch", "" + s.batch(), "" + g.batch()},
                new String[] {"--lr", "" + s.lr(), "" + g.lr()},
                new String[] {"--seed", "" + s.seed(), "" + g.seed()},
                new String[] {"--optimizer", s.optimizer(), g.optimizer()},
                new String[] {"--momentum", "" + s.momentum(), "" + g.momentum()},
                new String[] {"--nesterov", "" + s.nesterov(), "" + g.nesterov()},
                new String[] {"--resize", s.resize(), g.resize()},
                new String[] {"--weight-decay", "" + s.weightDecay(), "" + g.weightDecay()},
                new String[] {"--threads", "" + s.threads(), "" + g.threads()},
                new String[] {"--precision", s.precision(), g.precision()});
        for (String[] c : checks) {
            if (pr.hasMatchedOption(c[0]) && !c[1].equals(c[2])) {
                throw CoverException.usage(c[0] + " " + c[2] + " differs from the checkpoint's " + c[1] + " (" + out.resolve("checkpoints/last.json")
                        + "); a resumed run keeps its configuration");
            }
        }
        if (backboneOptions.anyGiven(pr) && !saved.backbone().equals(given.backbone())) {
            throw CoverException.usage("the backbone options given (--backbone, --backbone-size, --channels and the backbone's own: "
                    + given.backbone() + ") differ from the checkpoint's (" + saved.backbone() + ", "
                    + out.resolve("checkpoints/last.json") + "); a resumed run keeps its configuration");
        }
        if (s.method().equals(g.method()) && !saved.method().equals(given.method()) && methodOptions.anyMatched(s.method(), pr)) {
            throw CoverException.usage("the " + s.method() + " options given (" + given.method() + ") differ from the checkpoint's ("
                    + saved.method() + ", " + out.resolve("checkpoints/last.json") + "); a resumed run keeps its configuration");
        }
        PretrainSettings.Builder b = s.toBuilder();
        if (pr.hasMatchedOption("--data") && !realPath(s.data()).equals(realPath(g.data()))) {
            if (!allowDataChange) {
                throw CoverException.usage("--data " + g.data() + " is not the checkpoint's data folder " + s.data() + " ("
                        + out.resolve("checkpoints/last.json") + "); a resumed run keeps its data; --allow-data-change continues on other data");
            }
            b.data(g.data());
        }
        if (pr.hasMatchedOption("--steps")) b.steps(g.steps());
        if (pr.hasMatchedOption("--workers")) b.workers(g.workers());
        if (pr.hasMatchedOption("--device")) b.device(g.device());
        return new PretrainConfig(b.build(), saved.method(), saved.backbone());
    }
}

package org.cover4j.cli;

import org.bytedeco.pytorch.Device;
import org.cover4j.augment.ViewPair;
import org.cover4j.pretrain.PretrainConfig;
import org.cover4j.pretrain.PretrainImages;
import org.cover4j.pretrain.PretrainSettings;
import org.cover4j.pretrain.Pretraining;
import org.cover4j.pretrain.ViewBatch;
import org.cover4j.pretrain.cover.CoverMethod;
import org.cover4j.pretrain.cover.FlowErrors;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Torch;
import org.cover4j.train.Checkpoints;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code cover4j analyze flow}: is a COVER checkpoint learning the displacement, and at which pyramid levels? Each
 * model sees the same view pairs (drawn with the checkpoint's own transforms from --data or the run's images, seeded),
 * one pair at a time in a step scope of its own; the table gives the mean error of the flow after each VPA level.
 */
@Command(name = "flow", mixinStandardHelpOptions = true,
        header = "Per-level displacement errors of COVER checkpoints (is pre-training learning the flow, and where?).",
        description = {"", "For N seeded view pairs, the flow composed after each of the five vector-pyramid levels (1/8, 1/4, "
                + "1/2, 1/1, then the finest level's refinement) is upsampled as the model does and scored with the training's "
                + "masked L1 against the known flow, in pixels; the final level's value is loss_vec. 'zero flow' is the error of "
                + "predicting no motion: a model below it has learnt something. Compare checkpoints of one run (--model "
                + "RUN/checkpoints/step-N.json) to see the levels improve with training.", ""})
public final class FlowCommand implements Callable<Integer> {
    @Mixin
    Options common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "RUN|CKPT", required = true,
            description = "A COVER pre-training run folder (its newest checkpoint) or a checkpoint .json (repeatable).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--data", paramLabel = "DIR", description = "Images to draw the pairs from (default: each checkpoint's own --data, or its phantoms).")
    Path data;

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "16", description = "View pairs per model (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the pairs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (pairs < 1) throw CoverException.usage("--pairs " + pairs + ": must be at least 1");
        if (data != null && !Files.isDirectory(data)) throw CoverException.file(data, "--data: not a folder");
        Torch.load();
        Torch.setThreads(common.threadsOrDefault());
        Device device = Devices.parse(common.device);
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        List<Checkpoints.Loaded> loaded = new ArrayList<>();
        for (Path m : models) loaded.add(checkpoint(m, quiet)); // every --model is checked before any work
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-40s %6s", "model", "step");
        for (String n : FlowErrors.NAMES) out.printf(" %21s", n);
        out.println();
        for (int i = 0; i < loaded.size(); i++) {
            double[] mean = measure(loaded.get(i), device, quiet);
            out.printf(Locale.ROOT, "%-40s %6d", models.get(i).toString(), loaded.get(i).step());
            for (double v : mean) out.printf(Locale.ROOT, " %21.4f", v);
            out.println();
            out.flush();
        }
        out.printf("(mean masked L1 over %d view pairs, seed %d, in pixels of the crop)%n", pairs, seed);
        out.flush();
        return 0;
    }

    private Checkpoints.Loaded checkpoint(Path model, PrintStream quiet) {
        Checkpoints.Loaded c;
        if (Files.isDirectory(model)) {
            c = new Checkpoints(model.resolve("checkpoints")).latest(quiet)
                    .orElseThrow(() -> CoverException.file(model, "--model: no checkpoint in " + model.resolve("checkpoints")));
        } else if (Files.isRegularFile(model) && model.toString().endsWith(".json")) {
            c = Checkpoints.read(model);
        } else {
            throw CoverException.file(model, "--model: not a pre-training run folder or a checkpoint .json");
        }
        if (!"cover".equals(c.method())) {
            throw CoverException.file(model, "--model: a " + c.method() + " checkpoint; per-level flow errors need a COVER one");
        }
        return c;
    }

    private double[] measure(Checkpoints.Loaded c, Device device, PrintStream quiet) {
        PretrainConfig config = PretrainConfig.fromCheckpoint(c);
        PretrainSettings s = config.common();
        if (data != null) s = s.toBuilder().data(data.toString()).preset(null).build();
        CoverMethod method = (CoverMethod) Pretraining.method(new PretrainConfig(s, config.method(), config.backbone()), device);
        method.state().load(c.weights(), c.shapes(), c.json().toString());
        method.model().backbone().train(false);
        PretrainImages images = Pretraining.images(s, quiet);
        double[] sum = new double[FlowErrors.NAMES.length];
        Rng rng = new Rng(seed);
        for (int p = 0; p < pairs; p++) {
            Rng pairRng = rng.derive(p);
            ViewPair pair = method.sample(images.get(pairRng.randint(0, images.size())), pairRng);
            try (StepScope scope = StepScope.open()) {
                double[] e = FlowErrors.of(method.model(), ViewBatch.of(List.of(pair), device));
                for (int k = 0; k < e.length; k++) sum[k] += e[k];
            }
        }
        for (int k = 0; k < sum.length; k++) sum[k] /= pairs;
        return sum;
    }
}

package org.cover4j.cli;

import org.bytedeco.pytorch.Device;
import org.cover4j.downstream.Cases;
import org.cover4j.downstream.DataSource;
import org.cover4j.downstream.DownstreamNet;
import org.cover4j.downstream.FileEvaluation;
import org.cover4j.downstream.Finetuning;
import org.cover4j.downstream.ModelFiles;
import org.cover4j.downstream.Task;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Torch;
import org.cover4j.util.CoverException;
import org.cover4j.train.RunLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cover4j evaluate}: score a fine-tuned model on labelled data, or prediction files against label files. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        header = "Score a fine-tuned model on labelled data, or prediction files against label files.",
        description = {"", "Either --model DIR --data DIR|CSV (runs the model; data as for finetune), or --pred DIR --labels DIR "
                + "(segmentation label maps matched by file name; same shape and affine required; HD95 in the labels' spacing).", "",
                "Writes OUT/metrics.json (segmentation: mean_dice, mean_iou, mean_hd95, per_class; classification: accuracy, "
                        + "balanced_accuracy, auc, sensitivity, specificity, confusion) and OUT/per_case.csv.", ""})
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    Options common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "A fine-tuned model folder (the --out of finetune).")
    Path model;

    @Option(names = "--data", paramLabel = "DIR|CSV", description = "Labelled data for --model.")
    Path data;

    @Option(names = "--pred", paramLabel = "DIR", description = "Folder of predicted label maps.")
    Path pred;

    @Option(names = "--labels", paramLabel = "DIR", description = "Folder of reference label maps (same file names as --pred).")
    Path labels;

    @Option(names = "--classes", paramLabel = "K", description = "With --pred: number of classes incl. background, all scored (default: largest value in labels "
            + "and predictions + 1, scoring only the classes that occur).")
    Integer classes;

    @Option(names = "--binary-labels", description = "With --pred: every non-zero value is class 1 (0/255 masks).")
    boolean binaryLabels;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", description = "Patches per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cover4j-out/evaluate", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        if ((pred != null || labels != null) && (pred == null || labels == null)) throw CoverException.usage("--pred and --labels go together");
        // One writer per output folder, as for training runs (a folder this run creates and leaves empty is removed again).
        try (RunLock lock = RunLock.acquire(out, "--out", "cover4j evaluate", System.err)) {
            return evaluate();
        }
    }

    private Integer evaluate() {
        Map<String, Object> summary;
        String metric;
        if (pred != null || labels != null) {
            if (pred == null || labels == null) throw CoverException.usage("--pred and --labels go together");
            if (model != null || data != null) throw CoverException.usage("use either --model/--data or --pred/--labels, not both");
            PrintWriter err = spec.commandLine().getErr();
            summary = FileEvaluation.segmentation(pred, labels, classes == null ? 0 : classes, binaryLabels, out, line -> {
                err.println("cover4j: " + line);
                err.flush();
            });
            metric = "mean_dice";
        } else {
            if (model == null || data == null) throw CoverException.usage("give --model DIR --data DIR|CSV, or --pred DIR --labels DIR");
            Torch.setThreads(common.threadsOrDefault());
            Device device = Devices.parse(common.device);
            ModelFiles.Loaded m = ModelFiles.readModel(model, "--model");
            DownstreamNet net = ModelFiles.openNet(m, device);
            Task task = m.spec().task();
            DataSource src = DataSource.open(task, data, "--data");
            List<String> names = task == Task.CLS && !src.classNames().isEmpty() ? m.spec().classNames() : null;
            var cases = Cases.load(src, Cases.Prep.of(m.spec()), m.spec().numClasses(), names);
            if (cases.isEmpty()) throw CoverException.usage("--data " + data + ": no cases");
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("model", model.toString());
            extra.put("data", data.toString());
            summary = Finetuning.evaluate(net, device, batch, cases, out, extra);
            metric = task.metric();
        }
        Object v = summary.get(metric);
        spec.commandLine().getOut().printf(Locale.ROOT, "%s %.4f over %s cases%n  metrics: %s%n  per case: %s%n", metric,
                v instanceof Number n ? n.doubleValue() : Double.NaN, summary.get("n"), out.resolve("metrics.json"), out.resolve("per_case.csv"));
        spec.commandLine().getOut().flush();
        return 0;
    }
}

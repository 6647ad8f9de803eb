package org.cover4j.cli;

import org.bytedeco.pytorch.Device;
import org.cover4j.downstream.DownstreamNet;
import org.cover4j.downstream.ModelFiles;
import org.cover4j.downstream.Prediction;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Torch;
import org.cover4j.train.RunLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code cover4j predict}: apply a fine-tuned model to new images. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        header = "Apply a fine-tuned model to an image or a folder of images.",
        description = {"", "Segmentation: a label map per input in the input's format and geometry (NIfTI/MetaImage keep the "
                + "affine; 2D pictures give PNG; other volumes NIfTI), by Gaussian sliding windows (overlap 0.5) over any size; "
                + "overlay PNGs in OUT/overlays/; with --probabilities one map per class in OUT/probabilities/. "
                + "Classification: OUT/predictions.csv with the class and the probability of each class.", ""})
public final class PredictCommand implements Callable<Integer> {
    @Mixin
    Options common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A fine-tuned model folder (the --out of finetune).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE|DIR", description = "An image, or a folder of images.")
    Path input;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cover4j-out/predict", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--probabilities", description = "Also write a probability map per class.")
    boolean probabilities;

    @Option(names = "--no-overlays", description = "Do not write overlay PNGs.")
    boolean noOverlays;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", description = "Patches per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        Torch.setThreads(common.threadsOrDefault());
        Device device = Devices.parse(common.device);
        ModelFiles.Loaded m = ModelFiles.readModel(model, "--model");
        DownstreamNet net = ModelFiles.openNet(m, device);
        List<Path> written;
        // One writer per output folder, as for training runs (a folder this run creates and leaves empty is removed again).
        try (RunLock lock = RunLock.acquire(out, "--out", "cover4j predict", System.err)) {
            written = Prediction.run(net, device, input, out, new Prediction.Options(probabilities, !noOverlays, batch), System.err);
        }
        spec.commandLine().getOut().printf("predicted %d file(s) -> %s%n", written.size(), out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}

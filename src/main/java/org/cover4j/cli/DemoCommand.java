package org.cover4j.cli;

import org.cover4j.data.phantom.Phantoms;
import org.cover4j.downstream.DemoSummary;
import org.cover4j.downstream.PhantomData;
import org.cover4j.torch.Devices;
import org.cover4j.train.RunLock;
import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code cover4j demo}: a few-minute tour on the built-in synthetic phantoms. It runs the real commands
 * (the same code paths a user runs) one after the other — pre-training, two fine-tuning runs (from the COVER
 * checkpoint and from scratch, same settings, few labels) evaluated on held-out phantoms — and writes a summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Pre-train COVER on synthetic phantoms, fine-tune a segmentation from it and from scratch, compare.",
        description = {"", "Needs no data: the phantoms (body, organ, paired organs, lesion; smooth shapes, texture, bias "
                + "field, noise) are generated from a seed. Steps: (1) COVER pre-training on unlabelled phantoms; (2) labelled "
                + "phantoms written to OUT/data (train/val/test); (3) segmentation fine-tuning from the COVER checkpoint and "
                + "from scratch with the same settings; (4) both scored on the test phantoms; (5) OUT/summary.md and "
                + "OUT/summary.html with the table, loss curves and overlays. Takes a few minutes on 2 cores.", ""})
public final class DemoCommand implements Callable<Integer> {
    /** What the demo writes under --out; only these are removed when it runs again. */
    private static final List<String> OUTPUTS = List.of("pretrain", "data", "finetune-cover", "finetune-scratch", "figures",
            "summary.md", "summary.html");

    @Mixin
    Options common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cover4j-out/demo", description = "Output folder (default: ${DEFAULT-VALUE}); replaced if it holds an earlier demo.")
    Path out;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "150", description = "Pre-training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--finetune-steps", paramLabel = "N", defaultValue = "150", description = "Steps of each fine-tuning run (default: ${DEFAULT-VALUE}).")
    int finetuneSteps;

    @Option(names = "--train-cases", paramLabel = "N", defaultValue = "8", description = "Labelled training phantoms (default: ${DEFAULT-VALUE}).")
    int trainCases;

    @Option(names = "--quick", description = "A seconds-long smoke run with a tiny network (for tests).")
    boolean quick;

    @Override
    public Integer call() {
        try (RunLock lock = RunLock.acquire(out, "--out", "cover4j demo", System.err)) {
            return demo();
        }
    }

    /** The tour, with {@code out} locked for this process (each step's command locks its own sub-folder too). */
    private int demo() {
        PrintWriter say = spec.commandLine().getOut();
        Path pre = out.resolve("pretrain");
        clearEarlierDemo(out);
        long t0 = System.nanoTime();
        String threads = "" + common.threadsOrDefault();
        List<String> args = new ArrayList<>(List.of("pretrain", "--out", pre.toString(), "--dim", "2", "--seed", "0",
                "--threads", threads, "--device", common.device));
        String tiny = "8,16,32,64,128,64,32,16,8";
        if (quick) {
            args.addAll(List.of("--size", "32", "--batch", "2", "--steps", "3", "--demo-images", "4", "--channels", tiny, "--checkpoint-every", "3"));
        } else {
            args.addAll(List.of("--size", "64", "--batch", "4", "--steps", "" + steps, "--demo-images", "64", "--checkpoint-every", "50"));
        }
        say.println("demo: (1/4) pre-training COVER on unlabelled synthetic phantoms -> " + pre);
        int code = run(say, args);
        if (code != 0) return code;

        // Labelled phantoms at the pre-training images' scale (pre-training crops 64 from phantoms of 1.5 x 64 = 96).
        int size = quick ? 32 : 96;
        int nTrain = quick ? 4 : trainCases;
        int nVal = quick ? 2 : 4;
        int nTest = quick ? 2 : 8;
        long seed = Phantoms.BUILT_IN_SEED;
        Path data = out.resolve("data");
        say.printf("demo: (2/4) writing labelled phantoms (%d train, %d val, %d test, %dx%d) -> %s%n", nTrain, nVal, nTest, size, size, data);
        say.flush();
        // Indices from 10000 on: not among the pre-training phantoms (0..63), so the test cases are unseen by both runs.
        PhantomData.write(data.resolve("train"), 2, seed, 10000, nTrain, size, null);
        PhantomData.write(data.resolve("val"), 2, seed, 20000, nVal, size, null);
        PhantomData.write(data.resolve("test"), 2, seed, 30000, nTest, size, null);

        List<String> common2 = new ArrayList<>(List.of("finetune", "--task", "seg", "--train", data.resolve("train").toString(),
                "--val", data.resolve("val").toString(), "--test", data.resolve("test").toString(), "--seed", "0",
                "--threads", threads, "--device", common.device, "--channels", quick ? tiny : "32,64,128,256,512,256,128,64,32"));
        if (quick) common2.addAll(List.of("--patch", "32", "--batch", "2", "--steps", "4", "--val-every", "2"));
        else common2.addAll(List.of("--patch", "64", "--batch", "4", "--steps", "" + finetuneSteps, "--val-every", "25"));
        Path cover = out.resolve("finetune-cover");
        Path scratch = out.resolve("finetune-scratch");
        say.println("demo: (3/4) fine-tuning segmentation from the COVER checkpoint -> " + cover);
        List<String> a1 = new ArrayList<>(common2);
        a1.addAll(List.of("--init", pre.toString(), "--out", cover.toString()));
        if ((code = run(say, a1)) != 0) return code;
        say.println("demo: (3/4) fine-tuning the same network from scratch, same settings -> " + scratch);
        List<String> a2 = new ArrayList<>(common2);
        a2.addAll(List.of("--out", scratch.toString()));
        if ((code = run(say, a2)) != 0) return code;

        say.println("demo: (4/4) writing the summary");
        say.flush();
        String settings = String.format(Locale.ROOT, "COVER pre-training: %s steps on %s unlabelled phantoms. Fine-tuning (segmentation, 5 classes): "
                        + "%d labelled training phantoms, %d validation, %d test, %s steps each, Adam lr 1e-4, Dice + cross-entropy, "
                        + "best validation checkpoint; the two runs differ only in their initial backbone weights. Commands: see the "
                        + "demo's output; each run's settings are in its model.json.",
                quick ? "3" : "" + steps, quick ? "4" : "64", nTrain, nVal, nTest, quick ? "4" : "" + finetuneSteps);
        Path summary = DemoSummary.write(out, pre, List.of(new DemoSummary.Run("COVER init", cover), new DemoSummary.Run("scratch", scratch)),
                data.resolve("test"), quick ? 1 : 3, Devices.parse(common.device), settings);
        say.printf(Locale.ROOT, "demo: done in %.0f s. Summary: %s (and %s)%n  pre-training: %s%n  fine-tuned models: %s, %s%n",
                (System.nanoTime() - t0) / 1e9, summary.toAbsolutePath(), out.resolve("summary.html").toAbsolutePath(), pre, cover, scratch);
        say.flush();
        return 0;
    }

    private int run(PrintWriter say, List<String> args) {
        if (common.debug) args.add("--debug");
        say.println("demo: cover4j " + String.join(" ", args));
        say.flush();
        return spec.root().commandLine().execute(args.toArray(new String[0]));
    }

    /** Removes only an earlier demo's outputs (recognised by its pre-training checkpoint or summary), never other files. */
    static void clearEarlierDemo(Path out) {
        Path pre = out.resolve("pretrain");
        boolean earlier = Files.exists(pre.resolve("checkpoints/last.json")) || Files.exists(pre.resolve("metrics.csv"))
                || Files.exists(out.resolve("summary.md"));
        boolean any = OUTPUTS.stream().anyMatch(o -> Files.exists(out.resolve(o)));
        if (any && !earlier) throw CoverException.usage("--out: " + out + " holds files that are not an earlier demo's; choose another --out");
        for (String o : OUTPUTS) {
            Path p = out.resolve(o);
            if (!Files.exists(p)) continue;
            try (var walk = Files.walk(p)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw CoverException.file(p, "cannot remove the earlier demo's output (" + e.getMessage() + ")");
            }
        }
    }
}

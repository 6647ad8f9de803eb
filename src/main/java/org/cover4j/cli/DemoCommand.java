package org.cover4j.cli;

import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code cover4j demo}: a few-minute tour on the built-in synthetic phantoms. It runs the real commands
 * (the same code paths a user runs) one after the other and says where everything is.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Run a short COVER pre-training on built-in synthetic phantoms and show where the outputs are.",
        description = {"", "Needs no data: the phantoms (body, organ, paired organs, lesion; smooth shapes, texture, bias "
                + "field, noise) are generated from a seed. Takes a few minutes on 2 cores.", ""})
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    Options common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "cover4j-out/demo", description = "Output folder (default: ${DEFAULT-VALUE}); replaced if it holds an earlier demo.")
    Path out;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "150", description = "Pre-training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--quick", description = "A seconds-long smoke run with a tiny network (for tests).")
    boolean quick;

    @Override
    public Integer call() {
        Path pre = out.resolve("pretrain");
        clearEarlierDemo(pre);
        List<String> args = new ArrayList<>(List.of("pretrain", "--out", pre.toString(), "--dim", "2", "--seed", "0",
                "--threads", "" + common.threadsOrDefault(), "--device", common.device));
        if (quick) {
            args.addAll(List.of("--size", "32", "--batch", "2", "--steps", "3", "--demo-images", "4",
                    "--channels", "8,16,32,64,128,64,32,16,8", "--checkpoint-every", "3"));
        } else {
            args.addAll(List.of("--size", "64", "--batch", "4", "--steps", "" + steps, "--demo-images", "64", "--checkpoint-every", "50"));
        }
        if (common.debug) args.add("--debug");
        spec.commandLine().getOut().println("demo: pre-training COVER on synthetic phantoms -> " + pre);
        spec.commandLine().getOut().println("demo: cover4j " + String.join(" ", args));
        spec.commandLine().getOut().flush();
        CommandLine root = spec.root().commandLine();
        int code = root.execute(args.toArray(new String[0]));
        if (code != 0) return code;
        spec.commandLine().getOut().printf("demo: done. Loss curve: %s; weights (reference state_dict names): %s%n",
                pre.resolve("metrics.csv"), pre.resolve("checkpoints/last.safetensors"));
        return 0;
    }

    /** Removes only an earlier demo's pre-training output (recognised by its checkpoint), never other files. */
    static void clearEarlierDemo(Path pre) {
        if (!Files.exists(pre)) return;
        if (!Files.exists(pre.resolve("checkpoints/last.json")) && !Files.exists(pre.resolve("metrics.csv"))) {
            throw CoverException.usage("--out: " + pre + " exists and is not an earlier demo; choose another --out");
        }
        try (var walk = Files.walk(pre)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw CoverException.file(pre, "cannot remove the earlier demo (" + e.getMessage() + ")");
        }
    }
}

package org.cover4j.cli;

import org.cover4j.nn.MemoryMode;
import org.cover4j.util.CoverException;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code --low-memory} and {@code --fast-backward}, declared once for {@code pretrain} and {@code benchmark}. */
public final class MemoryOptions {
    @Option(names = "--low-memory", negatable = true, description = "Run the U-Net's backward pass one image at a time "
            + "at any size (by default the finest level runs on 2^18 voxels at a time in fp32, 2^19 in bf16 — one or two "
            + "volumes of 64³ — and the coarser levels of up to four such chunks together), "
            + "recompute MoV's softmax weights in the backward pass instead of keeping them, "
            + "and hand freed memory back to the system before each step's "
            + "peaks: the same result, less memory for 2D batches and small volumes, a little more time (default: off).")
    boolean lowMemory;

    @Option(names = "--fast-backward", description = "Run the U-Net's backward pass on the whole batch at any size, "
            + "the finest level of volumes of 64³ and up included: its temporaries exist for every volume at once, which "
            + "takes more memory; since the default runs the coarser levels on the whole batch too, it measured no faster "
            + "at 64³ (README, Speed and memory). Not with --low-memory (default: off).")
    boolean fastBackward;

    /** The mode asked for; both flags together are a usage error. */
    MemoryMode mode() {
        if (lowMemory && fastBackward) throw CoverException.usage("--fast-backward and --low-memory contradict each other; give one");
        return lowMemory ? MemoryMode.LOW : fastBackward ? MemoryMode.FAST : MemoryMode.DEFAULT;
    }

    /** The flags that give {@code mode} (for a child process). */
    static List<String> args(MemoryMode mode) {
        return switch (mode) {
            case LOW -> List.of("--low-memory");
            case FAST -> List.of("--fast-backward");
            case DEFAULT -> List.of();
        };
    }
}

package org.cover4j.cli;

import org.cover4j.util.CoverException;

import java.util.List;

/**
 * The paper's pre-training configurations (supplementary C.2.1, see PROTOCOL.md) for {@code benchmark --preset}: batch,
 * crop and dimension, and whether it needs the low-memory mode to stay within 16 GiB.
 */
record PaperPreset(String name, int dims, int size, int batch, boolean lowMemory, String description) {
    /** The paper's pre-training length (2×10⁵ iterations), for the projected wall time. */
    static final long PAPER_ITERATIONS = 200_000;

    static final List<PaperPreset> ALL = List.of(
            new PaperPreset("paper-2d", 2, 384, 24, false,
                    "ChestX-ray8, batch 24, random 384² crops of images resized to 512² (the loader here uses 1.5×384 = 576²)"),
            // At batch 2 × 128³ the step's memory is about 16 times that of 64³; --low-memory (the backward pass one
            // volume at a time, freed memory returned before each peak, the fixed mmap threshold) keeps it within 16 GiB.
            new PaperPreset("paper-3d", 3, 128, 2, true,
                    "PPMI T1, batch 2, random 128³ crops of 160×160×128 volumes (the loader here uses 1.5×128 = 192³); --low-memory"));

    static PaperPreset get(String name) {
        for (PaperPreset p : ALL) if (p.name().equals(name)) return p;
        throw CoverException.usage("--preset must be paper-2d or paper-3d, got " + name);
    }
}

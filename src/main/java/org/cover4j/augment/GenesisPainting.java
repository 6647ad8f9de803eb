package org.cover4j.augment;

import org.cover4j.augment.AppearanceTransform.Block;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * Models Genesis's in-painting and out-painting (official {@code image_in_painting}, {@code image_out_painting}),
 * one channel, 2D or 3D, in place. Integer draws are Python's {@code randint} (both ends inclusive); per box
 * all sides are drawn, then all corners. A corner is {@code randint(3, S_d − side − 3)}: the box keeps
 * {@value #MARGIN} voxels from both edges.
 *
 * <p>Small images, where Python would raise: the margin shrinks to {@code min(3, (S_d − side)//2)}, so the box
 * still fits (exactly the official draw whenever {@code S_d − side ≥ 6}, e.g. every axis of 16 or more voxels
 * for out-painting, of 9 or more for in-painting). In-painting sides can be 0 below 6 voxels: such a box paints
 * nothing.
 */
public final class GenesisPainting {
    public static final int MARGIN = 3;
    /** In-painting: at most this many boxes, ... */
    public static final int INPAINT_MAX_BOXES = 5;
    /** ... out-painting: one box, then at most this many more, ... */
    public static final int OUTPAINT_MORE_BOXES = 4;
    /** ... each further box made while a uniform draw is below this. */
    public static final double CONTINUE = 0.95;

    private GenesisPainting() {}

    /**
     * While fewer than {@value #INPAINT_MAX_BOXES} boxes were painted and {@code U(0,1) <} {@value #CONTINUE}: a
     * box with side {@code randint(S_d//6, S_d//3)} per axis filled with U[0, 1) noise (drawn in the box's C order).
     *
     * @return the boxes painted, in order
     */
    public static List<Block> inpaint(float[] x, int[] spatial, Rng rng) {
        Shapes.checkSample(x, 1, spatial, "in-painting");
        List<Block> boxes = new ArrayList<>();
        // The count comes before the coin, as in the official `while cnt > 0 and random.random() < 0.95`.
        for (int cnt = INPAINT_MAX_BOXES; cnt > 0 && rng.nextDouble() < CONTINUE; cnt--) {
            Block b = drawBox(spatial, false, rng);
            AppearanceTransform.fill(x, 1, spatial, x.length, b.origin(), b.size(), rng);
            boxes.add(b);
        }
        return boxes;
    }

    /**
     * Replaces the whole image by U[0, 1) noise (drawn in C order), then reveals the original inside one box and
     * then, while fewer than {@value #OUTPAINT_MORE_BOXES} more were revealed and {@code U(0,1) <} {@value #CONTINUE},
     * further boxes; each side is {@code S_d − randint(3·S_d//7, 4·S_d//7)}.
     *
     * @return the boxes revealed, in order
     */
    public static List<Block> outpaint(float[] x, int[] spatial, Rng rng) {
        Shapes.checkSample(x, 1, spatial, "out-painting");
        float[] original = x.clone();
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble();
        List<Block> boxes = new ArrayList<>();
        boxes.add(reveal(x, original, spatial, rng));
        for (int cnt = OUTPAINT_MORE_BOXES; cnt > 0 && rng.nextDouble() < CONTINUE; cnt--) {
            boxes.add(reveal(x, original, spatial, rng));
        }
        return boxes;
    }

    private static Block reveal(float[] x, float[] original, int[] spatial, Rng rng) {
        Block b = drawBox(spatial, true, rng);
        for (int at : Shapes.boxIndices(spatial, b.origin(), b.size())) x[at] = original[at];
        return b;
    }

    private static Block drawBox(int[] spatial, boolean outpainting, Rng rng) {
        int nd = spatial.length;
        int[] size = new int[nd];
        for (int d = 0; d < nd; d++) {
            int s = spatial[d];
            size[d] = outpainting ? s - ModelsGenesis.pythonRandint(rng, 3 * s / 7, 4 * s / 7)
                                  : ModelsGenesis.pythonRandint(rng, s / 6, s / 3);
        }
        int[] origin = new int[nd];
        for (int d = 0; d < nd; d++) {
            int room = spatial[d] - size[d];
            int margin = Math.min(MARGIN, room / 2);
            origin[d] = ModelsGenesis.pythonRandint(rng, margin, room - margin);
        }
        return new Block(origin, size);
    }
}

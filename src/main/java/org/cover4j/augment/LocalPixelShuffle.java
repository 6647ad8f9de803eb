package org.cover4j.augment;

import org.cover4j.augment.AppearanceTransform.Block;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * Models Genesis's local pixel shuffling (official {@code local_pixel_shuffling}), one channel, 2D or 3D:
 * {@code blocks} times, a box with side {@code randint(1, S_d//10)} per axis (Python's randint, both ends
 * inclusive) at corner {@code randint(0, S_d − side)} (so it lies inside the image) has its values, read from
 * the ORIGINAL image, written into the output in a random order. Overlapping blocks therefore never shuffle
 * already shuffled values; a later block overwrites an earlier one where they overlap.
 *
 * <p>Small images: where {@code S_d//10 < 1} (below 10 voxels, where Python would raise) the side is 1.
 * Below 20 voxels every side is 1 and the shuffle is the identity on that axis.
 */
public final class LocalPixelShuffle {
    private LocalPixelShuffle() {}

    /**
     * Writes {@code blocks} shuffled blocks of {@code original} into {@code out} (same shape; the caller
     * initialises it, usually as a copy of {@code original}). Draws per block: sides (per axis), corners (per
     * axis), then the permutation ({@link Rng#shuffle}).
     *
     * @return the blocks, in order
     */
    public static List<Block> shuffle(float[] original, float[] out, int[] spatial, int blocks, Rng rng) {
        Shapes.checkSample(original, 1, spatial, "local pixel shuffling");
        Shapes.checkSample(out, 1, spatial, "local pixel shuffling output");
        int nd = spatial.length;
        List<Block> done = new ArrayList<>(blocks);
        for (int b = 0; b < blocks; b++) {
            int[] size = new int[nd];
            for (int d = 0; d < nd; d++) size[d] = ModelsGenesis.pythonRandint(rng, 1, Math.max(1, spatial[d] / 10));
            int[] origin = new int[nd];
            for (int d = 0; d < nd; d++) origin[d] = ModelsGenesis.pythonRandint(rng, 0, spatial[d] - size[d]);
            int[] at = Shapes.boxIndices(spatial, origin, size);
            int[] order = new int[at.length];
            for (int k = 0; k < order.length; k++) order[k] = k;
            rng.shuffle(order);
            for (int k = 0; k < at.length; k++) out[at[k]] = original[at[order[k]]];
            done.add(new Block(origin, size));
        }
        return done;
    }
}

package org.cover4j.nn;

import org.cover4j.torch.Precision;

/**
 * How {@link UNetPass}'s backward pass divides a batch: the {@code chunkedLevels} finest levels (1 to 4, or all 5)
 * run {@code imagesPerChunk} images at a time, the coarser ones on the whole batch.
 *
 * <p>What sets a step's peak is the temporaries of the finest blocks' backward, so those run in chunks; the coarse
 * levels' convolutions are small and run better on more images at once (per 64³ volume the 8³ and 4³ backward ran
 * at 72 and 45 GFLOP/s, on two volumes at 178 and 86). Splitting costs memory of its own: the skip gradients of the
 * fine levels wait, for every image, while the coarse levels run — about one finest-level feature map per image.
 */
public record BackwardChunking(long imagesPerChunk, int chunkedLevels) {
    /** Every level per chunk: the backward pass of each chunk runs all the way before the next. */
    public static final int ALL_LEVELS = 5;

    public BackwardChunking {
        if (imagesPerChunk < 1) throw new IllegalArgumentException("imagesPerChunk must be >= 1, got " + imagesPerChunk);
        if (chunkedLevels < 1 || chunkedLevels > ALL_LEVELS) {
            throw new IllegalArgumentException("chunkedLevels must be 1 to " + ALL_LEVELS + ", got " + chunkedLevels);
        }
    }

    /** {@code n} images at a time through every level. */
    public static BackwardChunking perChunk(long n) {
        return new BackwardChunking(n, ALL_LEVELS);
    }

    /**
     * The chunking for {@code images} images of {@code voxelsPerImage} voxels each.
     * {@link MemoryMode#DEFAULT}: chunks of 2^18 voxels in float32 — whole batches of 2D images, one 3D volume of 64³
     * at a time — and, as the bound is on the temporaries' bytes, twice as many voxels in bfloat16 (two volumes of
     * 64³: the moving and fixed views of a batch of one, which measured 4.84 instead of 5.31 s per step at the same
     * peak); where the batch needs two to four chunks, the finest level runs per chunk and the others on the whole
     * batch (an eighth (3D) or a quarter (2D) of the finest level's voxels: up to four chunks' images fit one chunk); beyond four chunks the
     * skip gradients that would wait grow with the batch, and every level runs per chunk. {@link MemoryMode#LOW}: one
     * image at a time through every level; {@link MemoryMode#FAST}: the whole batch.
     */
    public static BackwardChunking of(long images, long voxelsPerImage, MemoryMode memory) {
        long voxels = Precision.current() == Precision.BF16 ? 1L << 19 : 1L << 18;
        long perImage = Math.max(1, voxelsPerImage);
        return switch (memory) {
            case LOW -> perChunk(1);
            case FAST -> perChunk(Long.MAX_VALUE);
            case DEFAULT -> {
                long perChunk = Math.max(1, voxels / perImage);
                long chunks = (images + perChunk - 1) / perChunk;
                yield chunks >= 2 && chunks <= 4 ? new BackwardChunking(perChunk, 1) : perChunk(perChunk);
            }
        };
    }
}

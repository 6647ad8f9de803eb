package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.Tensor;

/**
 * The window arithmetic of Swin attention: the relative-position index table, the shifted-window attention mask and
 * the partition of a (B, H, W, C) map into windows and back. Windows are taken row-major over the (H/ws, W/ws) grid,
 * batch outermost; tokens inside a window row-major.
 */
final class Windows {
    /** The mask value between tokens of different regions of a shifted window (official: -100, not -inf). */
    static final float MASKED = -100f;

    private Windows() {}

    /**
     * {@code relative_position_index} (ws², ws²): for tokens i = (hi, wi) and j = (hj, wj) of a window,
     * {@code (hi − hj + ws − 1)·(2ws − 1) + (wi − wj + ws − 1)}, the row of the bias table for their offset.
     */
    static float[] relativePositionIndex(int ws) {
        int n = ws * ws;
        float[] index = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int dh = i / ws - j / ws + ws - 1;
                int dw = i % ws - j % ws + ws - 1;
                index[i * n + j] = dh * (2 * ws - 1) + dw;
            }
        }
        return index;
    }

    /**
     * {@code attn_mask} (nW, ws², ws²) of a block with cyclic shift {@code shift} on an {@code res}² map: after the roll,
     * the map is cut into 3 × 3 regions (rows and columns [0, res−ws), [res−ws, res−shift), [res−shift, res)); two tokens
     * of a window attend to each other only when they come from the same region (0), else {@link #MASKED}.
     */
    static float[] attentionMask(int res, int ws, int shift) {
        int perSide = res / ws;
        int n = ws * ws;
        float[] mask = new float[perSide * perSide * n * n];
        int[] region = new int[n];
        for (int wy = 0; wy < perSide; wy++) {
            for (int wx = 0; wx < perSide; wx++) {
                for (int t = 0; t < n; t++) {
                    region[t] = 3 * band(wy * ws + t / ws, res, ws, shift) + band(wx * ws + t % ws, res, ws, shift);
                }
                int base = (wy * perSide + wx) * n * n;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) mask[base + i * n + j] = region[i] == region[j] ? 0f : MASKED;
                }
            }
        }
        return mask;
    }

    /** Which of the three slices {@code [0, res−ws)}, {@code [res−ws, res−shift)}, {@code [res−shift, res)} holds {@code p}. */
    private static int band(int p, int res, int ws, int shift) {
        if (p < res - ws) return 0;
        return p < res - shift ? 1 : 2;
    }

    /** (B, H, W, C) → (B·nW, ws², C). */
    static Tensor partition(Tensor x, int ws) {
        long b = x.size(0);
        long h = x.size(1);
        long w = x.size(2);
        long c = x.size(3);
        return x.view(b, h / ws, ws, w / ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, (long) ws * ws, c);
    }

    /** (B·nW, ws², C) → (B, H, W, C), the inverse of {@link #partition}. */
    static Tensor reverse(Tensor windows, int ws, int h, int w) {
        long c = windows.size(2);
        long b = windows.size(0) / ((long) (h / ws) * (w / ws));
        return windows.view(b, h / ws, w / ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(b, h, w, c);
    }
}

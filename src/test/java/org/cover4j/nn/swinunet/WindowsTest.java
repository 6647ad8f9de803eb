package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The window tables against the official construction, step by step (coordinates, shifted, scaled and summed; an
 * image of slice labels cut into windows), and the window partition against explicit indexing.
 */
class WindowsTest {
    @Test
    void relativePositionIndexAsTheOfficialCoordinateArithmetic() {
        for (int ws : new int[] {1, 2, 4, 7}) {
            int n = ws * ws;
            float[] want = new float[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    // relative_coords = coords[:, i] - coords[:, j]; += ws - 1; [0] *= 2ws - 1; sum
                    int r0 = (i / ws - j / ws) + ws - 1;
                    int r1 = (i % ws - j % ws) + ws - 1;
                    want[i * n + j] = r0 * (2 * ws - 1) + r1;
                }
            }
            assertArrayEquals(want, Windows.relativePositionIndex(ws), 0f, "window " + ws);
        }
        // Corner values by hand for ws 2: offset (−1, −1) → 0, (0, 0) → 4, (+1, +1) → 8.
        float[] two = Windows.relativePositionIndex(2);
        assertEquals(4, two[0]);
        assertEquals(0, two[3]);
        assertEquals(8, two[3 * 4]);
    }

    @Test
    void attentionMaskAsTheOfficialSliceLabelling() {
        int[][] cases = {{16, 4, 2}, {8, 4, 2}, {56, 7, 3}, {12, 4, 2}};
        for (int[] c : cases) {
            int res = c[0];
            int ws = c[1];
            int shift = c[2];
            // img_mask[h, w] = cnt over h_slices × w_slices = (0:-ws, -ws:-shift, -shift:)
            int[][] label = new int[res][res];
            int[][] bounds = {{0, res - ws}, {res - ws, res - shift}, {res - shift, res}};
            int cnt = 0;
            for (int[] hs : bounds) {
                for (int[] wsl : bounds) {
                    for (int h = hs[0]; h < hs[1]; h++) for (int w = wsl[0]; w < wsl[1]; w++) label[h][w] = cnt;
                    cnt++;
                }
            }
            int per = res / ws;
            int n = ws * ws;
            float[] want = new float[per * per * n * n];
            for (int win = 0; win < per * per; win++) {
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) {
                        int la = label[(win / per) * ws + a / ws][(win % per) * ws + a % ws];
                        int lb = label[(win / per) * ws + b / ws][(win % per) * ws + b % ws];
                        want[(win * n + a) * n + b] = lb - la != 0 ? -100f : 0f;
                    }
                }
            }
            assertArrayEquals(want, Windows.attentionMask(res, ws, shift), 0f, "res " + res + " ws " + ws);
        }
    }

    @Test
    void partitionTakesWindowsRowMajorAndReverseUndoesIt() {
        try (StepScope s = StepScope.open()) {
            int b = 2, h = 8, w = 12, c = 3, ws = 4;
            float[] v = new float[b * h * w * c];
            for (int i = 0; i < v.length; i++) v[i] = i;
            Tensor x = Tensors.of(v, b, h, w, c);
            Tensor windows = Windows.partition(x, ws);
            assertArrayEquals(new long[] {b * (h / ws) * (w / ws), ws * ws, c}, windows.shape());
            float[] got = Tensors.toArray(windows);
            int perRow = w / ws;
            for (int k = 0; k < got.length; k++) {
                int ch = k % c;
                int t = k / c % (ws * ws);
                int win = k / c / (ws * ws);
                int bb = win / ((h / ws) * perRow);
                int wy = win / perRow % (h / ws);
                int wx = win % perRow;
                int y = wy * ws + t / ws;
                int xx = wx * ws + t % ws;
                assertEquals(v[((bb * h + y) * w + xx) * c + ch], got[k], 0f, "element " + k);
            }
            assertArrayEquals(v, Tensors.toArray(Windows.reverse(windows, ws, h, w)), 0f);
        }
    }
}

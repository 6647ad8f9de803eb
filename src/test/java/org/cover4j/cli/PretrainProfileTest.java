package org.cover4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pretrain --profile} prints the per-operation table of COVER's step, whose sections cover at most the step, and
 * leaves the training bitwise unchanged.
 */
class PretrainProfileTest {
    @Test
    void profileCoversTheStepAndChangesNoWeight(@TempDir Path dir) {
        CliRunner.Run plain = CliRunner.run(PretrainResumeTest.args(dir.resolve("plain"), 3));
        assertEquals(0, plain.code(), plain.err());
        CliRunner.Run profiled = CliRunner.run(PretrainResumeTest.args(dir.resolve("profiled"), 3, "--profile"));
        assertEquals(0, profiled.code(), profiled.err());
        PretrainResumeTest.assertSameWeights(dir.resolve("plain"), dir.resolve("profiled"));
        assertTrue(!plain.out().contains("Profile:"), "no table without --profile");

        String out = profiled.out();
        Matcher head = Pattern.compile("Profile: .*\\((\\d+) steps, mean step ([0-9.]+) ms").matcher(out);
        assertTrue(head.find(), out);
        assertEquals(2, Integer.parseInt(head.group(1)), "the first of 3 steps is left out as warm-up");
        double step = Double.parseDouble(head.group(2));
        // The "by operation" table: its rows (other included) add up to the step; every row is >= 0.
        String byOperation = out.substring(out.indexOf("(by operation)"), out.indexOf("(by operation and resolution)"));
        Matcher row = Pattern.compile("\\n(.+?)\\s+([0-9.]*)\\s+(-?[0-9.]+)\\s+(-?[0-9.]+)%").matcher(byOperation);
        double sum = 0;
        double other = -1;
        java.util.Set<String> names = new java.util.HashSet<>();
        while (row.find()) {
            double ms = Double.parseDouble(row.group(3));
            assertTrue(ms >= 0, row.group());
            names.add(row.group(1).trim());
            if (row.group(1).trim().equals("other")) other = ms;
            sum += ms;
        }
        assertTrue(other >= 0, "an 'other' row: " + byOperation);
        assertEquals(step, sum, 0.05 * names.size() + 0.1, "sections + other = the step (rounded to 0.1 ms each)");
        for (String section : new String[] {"unet conv fwd", "unet conv bwd", "unet norm+lrelu fwd", "unet norm+lrelu bwd",
                "unet norm+lrelu recompute", "unet maxpool fwd", "unet upsample+cat fwd", "mov fwd", "mov bwd", "vpa projection fwd",
                "warp fwd (grid + grid_sample)", "loss fwd (L1, cosine)", "optimizer step", "data: loader wait"}) {
            assertTrue(names.contains(section), section + " missing from " + names);
        }
        // Per resolution: the tiny U-Net's 32² crops go through 5 resolutions, 32² to 2²; 4 convolutions at each but the deepest.
        Matcher conv = Pattern.compile("\\nunet conv fwd 32²\\s+([0-9.]+)").matcher(out);
        assertTrue(conv.find(), out);
        assertEquals(4.0, Double.parseDouble(conv.group(1)), 1e-9, "conv forward calls per step at 32²: 2 in the encoder block, 2 in the decoder");
    }
}

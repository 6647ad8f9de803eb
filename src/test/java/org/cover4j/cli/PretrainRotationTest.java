package org.cover4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pretrain --method rotation} (rotation prediction) end to end, 2D and 3D, and its refusals. */
class PretrainRotationTest {
    @Test
    void learnsIn2dAnd3dAndRecordsAccuracy(@TempDir Path tmp) throws Exception {
        for (int dims = 2; dims <= 3; dims++) {
            List<Map<String, String>> rows = MethodCliChecks.lossFalls(tmp.resolve(dims + "d"), "rotation", dims, dims == 2 ? 32 : 16, 30);
            for (Map<String, String> row : rows) {
                double acc = Double.parseDouble(row.get("acc"));
                // A batch of 4: the share right is a multiple of 1/4.
                assertTrue(acc >= 0 && acc <= 1 && acc * 4 == Math.rint(acc * 4), "acc " + acc);
            }
        }
    }

    @Test
    void resumesBitwise(@TempDir Path tmp) {
        MethodCliChecks.resumesBitwise(tmp, "rotation");
    }

    @Test
    void initialisesFinetuning(@TempDir Path tmp) {
        MethodCliChecks.initialisesFinetuning(tmp, "rotation");
    }

    @Test
    void refusesOptionsOfOtherMethods(@TempDir Path tmp) {
        MethodCliChecks.refusesOption(tmp, "rotation", "--degree", "1.0");
    }
}

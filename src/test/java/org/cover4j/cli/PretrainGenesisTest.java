package org.cover4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** {@code pretrain --method genesis} (Models Genesis) end to end, 2D and 3D, and its refusals. */
class PretrainGenesisTest {
    @Test
    void learnsIn2dAnd3d(@TempDir Path tmp) throws Exception {
        MethodCliChecks.lossFalls(tmp.resolve("2d"), "genesis", 2, 32, 24);
        // Fewer shuffled blocks keep the 3D run short; the distortions are otherwise the official ones.
        MethodCliChecks.lossFalls(tmp.resolve("3d"), "genesis", 3, 16, 18, "--genesis-blocks", "500");
    }

    @Test
    void resumesBitwise(@TempDir Path tmp) {
        MethodCliChecks.resumesBitwise(tmp, "genesis");
    }

    @Test
    void initialisesFinetuning(@TempDir Path tmp) {
        MethodCliChecks.initialisesFinetuning(tmp, "genesis");
    }

    @Test
    void refusesOptionsOfOtherMethodsAndBadBlockCounts(@TempDir Path tmp) {
        MethodCliChecks.refusesOption(tmp, "genesis", "--heads", "4,4,4,1,1");
        MethodCliChecks.refusesOption(tmp, "rotation", "--genesis-blocks", "100");
        PretrainErrorsTest.assertOneLineError(PretrainErrorsTest.pretrain(tmp.resolve("neg"), "--method", "genesis", "--genesis-blocks", "-1"),
                2, "--genesis-blocks", "-1");
    }
}

package org.cover4j.torch;

import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Process-wide settings made when libtorch is loaded. */
class TorchTest {
    /**
     * NNPACK is switched off: where the CPU or container does not support it, the first 2D convolution asks for it
     * and libtorch prints "Could not initialize NNPACK! Reason: Unsupported hardware." on stderr (natively, so the
     * message itself cannot be caught here; libtorch asks only while the user switch is on).
     */
    @Test
    void nnpackIsSwitchedOffWhenLibtorchLoads() {
        Torch.load();
        assertFalse(torch.globalContext().userEnabledNNPACK());
    }
}

package org.cover4j.cli;

import org.cover4j.torch.Precision;
import picocli.CommandLine.Option;

/** {@code --precision}, declared once for the commands that train ({@code pretrain}, {@code finetune}, {@code benchmark}). */
public final class PrecisionOption {
    @Option(names = "--precision", paramLabel = "P", defaultValue = "fp32", description = "fp32, or bf16: convolutions and linear "
            + "layers compute in bfloat16 (autocast semantics: GroupNorm, softmax, losses, the warp, MoV, the weights and the "
            + "optimizer stay float32); about 2× faster 3D convolutions on CPUs with AVX512-BF16 or AMX, see docs/precision.md "
            + "(default: ${DEFAULT-VALUE}).")
    String name;

    /** The precision given; an unknown name is a usage error naming the flag. */
    Precision value() {
        return Precision.parse(name, "--precision");
    }

    /** Whether {@code --precision} was given on the command line (a resumed run otherwise keeps its checkpoint's). */
    static boolean given(picocli.CommandLine.ParseResult pr) {
        return pr.hasMatchedOption("--precision");
    }
}

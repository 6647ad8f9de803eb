package org.cover4j.pretrain.cover;

import org.cover4j.pretrain.MethodOptions;
import picocli.CommandLine.Option;

import java.util.List;

/** The options of COVER's view pairs, which binary pixel-wise CL ({@code pixcl}) uses too. */
public final class CoverViewOptions implements MethodOptions {
    @Option(names = "--degree", paramLabel = "D",
            description = "Strength of the random affine (rotation ±D·20°, scale 1±D/2, shift ±0.2·D; default: ${DEFAULT-VALUE}).")
    public double degree = 1.5;

    @Option(names = "--appearance", paramLabel = "MODE",
            description = "paper (each operation with p=0.9, a real blur) or reference (all five always, blur a no-op) (default: ${DEFAULT-VALUE}).")
    public String appearance = "paper";

    @Option(names = "--reference", description = "Reproduce the released code: --appearance reference --lr-scaling batch256.")
    public boolean reference;

    @Override
    public String heading() {
        return "View pairs of cover and pixcl (an appearance-changed moving view, an affinely warped fixed view)";
    }

    @Override
    public List<String> methods() {
        return List.of("cover", "pixcl");
    }

    /** The appearance mode, {@code reference} when {@code --reference} is given. */
    public String appearanceMode() {
        return reference ? "reference" : appearance;
    }
}

package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.util.CoverException;

import java.util.List;

/**
 * A network that pre-training methods and downstream heads run on: five feature levels, finest first, at scales
 * 1, 1/2, 1/4, 1/8 and 1/16 of the input (what COVER's vector pyramid and the segmentation head use), the encoder's
 * deepest features (what pooled heads use: classification, rotation, BYOL, SimSiam) and a training pass.
 *
 * <p>Parameters live in a {@link Params} under a prefix ({@code backbone.}), each backbone under its official
 * {@code state_dict} key names, so that weights move between cover4j and the original code unchanged.
 */
public interface Backbone {
    /** The five levels for input {@code x} (B, C, *S), finest first: scales 1, 1/2, 1/4, 1/8, 1/16. */
    List<Tensor> levels(Tensor x);

    /** Channels of each level, finest first. */
    int[] levelChannels();

    /**
     * The encoder's deepest features (B, {@link #deepestChannels()}, *S') for heads that pool them; runs only what they
     * need. By default the coarsest level.
     */
    default Tensor deepest(Tensor x) {
        return levels(x).get(4);
    }

    /** Channels of {@link #deepest}. */
    default int deepestChannels() {
        return levelChannels()[4];
    }

    /**
     * Whether the tensor {@code name} (relative to the backbone's prefix) belongs to the encoder, the part that
     * {@link #deepest} runs: what methods that pool the deepest features train, and what a transfer of the encoder
     * alone takes.
     */
    boolean isEncoderTensor(String name);

    /** Spatial dimensionality (2 or 3). */
    int dims();

    /**
     * Training or evaluation mode: BatchNorm layers normalise with the batch's statistics and update their running
     * statistics (training) or use the running statistics (evaluation). A network without such layers ignores it.
     */
    default void train(boolean training) {
    }

    /**
     * A pass over {@code images} whose levels are outside autograd and whose {@link BackbonePass#backward} adds the
     * parameters' gradients given the levels' gradients (a method that joins several pieces of graph by hand, as COVER
     * does). By default libtorch's autograd; a backbone may override it with a pass that keeps less memory
     * ({@code memory}: how to trade time for memory where the backbone can).
     */
    default BackbonePass trainingPass(Tensor images, MemoryMode memory) {
        return AutogradPass.run(this, images);
    }

    /**
     * Checks the tensors a {@link Params#load} just replaced: buffers that the architecture fixes (an index table, a
     * mask, a spline grid) must hold the values it computes, so that a hostile or mismatched file cannot index out of
     * range or change the network silently. One line naming {@code source} and the tensor otherwise.
     */
    default void checkLoaded(String source) {
    }

    /**
     * Loads a state dict saved by the network's official code (its own key names, the wrappers' prefixes such as
     * {@code module.} accepted, the official task head skipped), strictly: one line naming the file and the first
     * missing, unexpected or misshapen tensors otherwise.
     */
    default void importOfficial(org.cover4j.io.StateDicts.StateDict weights) {
        throw org.cover4j.util.CoverException.file(weights.file(), "holds no backbone.* tensors; official weights can be imported into transunet,"
                + " swinunet and ukan backbones (--backbone NAME), not into the U-Net, whose reference names its tensors backbone.*");
    }
}

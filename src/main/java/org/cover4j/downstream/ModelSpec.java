package org.cover4j.downstream;

import org.cover4j.nn.BackboneSpec;
import org.cover4j.util.CoverException;

import java.util.Arrays;
import java.util.List;

/**
 * Everything needed to rebuild a fine-tuned model and prepare its inputs, as recorded in {@code model.json}:
 * the task, the backbone, the classes, the intensity normalisation and the patch size (segmentation:
 * the sliding-window patch; classification: the size every image is resized to).
 *
 * @param task          segmentation or classification
 * @param dims          2 or 3
 * @param inChannels    input channels of the network (images are converted to this many)
 * @param backbone      the backbone and its size
 * @param numClasses    classes including background (segmentation) or categories (classification)
 * @param classNames    a name per class
 * @param normalization {@code auto} (8-bit images /255, others percentiles 0.5–99.5, as pre-training) or a
 *                      {@link org.cover4j.data.Normalization} text form
 * @param patch         patch (segmentation) or input size (classification) per spatial axis
 * @param binaryLabels  label maps are binarised ({@code > 0 → 1}) when read
 * @param headLevel     the feature level the head reads (0 = finest … {@link #MAX_LEVEL} = 1/16; see {@link SegmentationHead},
 *                      {@link ClassificationHead}); {@code --probe-level}, else {@link Task#defaultHeadLevel()}
 */
public record ModelSpec(Task task, int dims, int inChannels, BackboneSpec backbone, int numClasses, List<String> classNames,
                        String normalization, int[] patch, boolean binaryLabels, int headLevel) {
    /** The deepest of the backbone's five levels. */
    public static final int MAX_LEVEL = 4;

    /** A spec whose head reads the task's usual level. */
    public ModelSpec(Task task, int dims, int inChannels, BackboneSpec backbone, int numClasses, List<String> classNames,
                     String normalization, int[] patch, boolean binaryLabels) {
        this(task, dims, inChannels, backbone, numClasses, classNames, normalization, patch, binaryLabels, task.defaultHeadLevel());
    }

    public ModelSpec {
        checkLevel(headLevel);
        if (dims != 2 && dims != 3) throw CoverException.usage("--dim must be 2 or 3, got " + dims);
        if (numClasses < 2) throw CoverException.usage("--classes must be at least 2, got " + numClasses);
        if (classNames == null || classNames.size() != numClasses) {
            throw new IllegalArgumentException("need " + numClasses + " class names, got " + classNames);
        }
        if (patch.length != dims) throw CoverException.usage("--patch needs " + dims + " sizes for " + dims + "D, got " + Arrays.toString(patch));
        if (backbone == null) backbone = BackboneSpec.unet(null);
        backbone.checkInput(dims, patch, "--patch");
        patch = patch.clone();
        classNames = List.copyOf(classNames);
    }

    /** The U-Net's channel counts (null for another backbone). */
    public int[] channels() {
        return backbone.channels();
    }

    @Override
    public int[] patch() {
        return patch.clone();
    }

    /** Refuses a level outside 0..{@link #MAX_LEVEL}, in one line naming {@code --probe-level}. */
    public static void checkLevel(int level) {
        if (level < 0 || level > MAX_LEVEL) {
            throw CoverException.usage("--probe-level must be 0 (finest, full resolution) to " + MAX_LEVEL + " (1/16 resolution), got " + level);
        }
    }

    /** Names "0", "1", ... for {@code n} classes. */
    public static List<String> numberedClasses(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(Integer::toString).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && m.task == task && m.dims == dims && m.inChannels == inChannels
                && m.backbone.equals(backbone) && m.numClasses == numClasses && m.classNames.equals(classNames)
                && m.normalization.equals(normalization) && Arrays.equals(m.patch, patch) && m.binaryLabels == binaryLabels && m.headLevel == headLevel;
    }

    @Override
    public int hashCode() {
        return backbone.hashCode() * 31 + Arrays.hashCode(patch) + numClasses;
    }

    @Override
    public String toString() {
        return task.code() + " " + dims + "D, " + numClasses + " classes, backbone " + backbone + ", patch "
                + Arrays.toString(patch) + ", normalisation " + normalization
                + (headLevel == task.defaultHeadLevel() ? "" : ", head on level " + headLevel);
    }
}

package org.cover4j.augment;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.Arrays;

/**
 * COVER's self-supervised view generation for one sample (SPEC §6.3), 2D or 3D, pure Java so that loader
 * threads make samples in parallel on the CPU:
 * <pre>
 *   flow_full = RandomAffineFlow over the loader grid L      (draws: 8 in 2D, 15 in 3D)
 *   fixedFull = Warp(image, flow_full)
 *   origin_d  = randint(0, L_d − C_d)                         (numpy high-exclusive; 0 when L_d = C_d)
 *   moving    = appearance(crop(image))                        (AppearanceTransform of the chosen mode)
 *   fixed     = crop(fixedFull);  flow = crop(flow_full);  mask = CorrespondenceMask(flow)
 * </pre>
 * Only the crop is computed: the flow at a position depends on that position alone and the warp reads the
 * full source, so this is exactly the crop of the full computation (tested bit for bit).
 *
 * <p>Difference from the reference: it draws ONE crop origin per batch, here each sample draws its own
 * (the samples are independent either way; per-sample crops are statistically equivalent for the loss and
 * let samples be made independently). Random draws of one sample, in order: the affine parameters, the crop
 * origin, then the appearance transform's.
 */
public final class CoverViews {
    private CoverViews() {}

    /** Makes one view pair with a cubic crop of side {@code crop}. */
    public static ViewPair make(float[] image, int channels, int[] shape, int crop, double degree,
                                AppearanceMode mode, Rng rng) {
        int[] cropSize = new int[shape.length];
        Arrays.fill(cropSize, crop);
        return make(image, channels, shape, cropSize, degree, mode, rng);
    }

    /**
     * Makes one view pair.
     *
     * @param image    one image or volume at loader size, C-order {@code (channels, shape...)}
     * @param shape    its spatial shape (2 or 3 axes), each at least the crop size
     * @param cropSize the crop (= network input) size per axis
     * @param degree   the affine strength ({@link RandomAffineFlow#DEFAULT_DEGREE} in the reference)
     * @param mode     the appearance transform of the moving view
     * @param rng      this sample's own generator (e.g. {@code root.derive(step, sample)})
     */
    public static ViewPair make(float[] image, int channels, int[] shape, int[] cropSize, double degree,
                                AppearanceMode mode, Rng rng) {
        checkCrop(shape, cropSize);
        RandomAffineFlow.Affine affine = RandomAffineFlow.random(shape, degree, rng);
        int[] origin = drawCropOrigin(shape, cropSize, rng);
        float[] flow = RandomAffineFlow.flow(affine, shape, origin, cropSize);
        ViewPair pair = assemble(image, channels, shape, flow, origin, cropSize);
        new AppearanceTransform(mode).apply(pair.moving(), channels, cropSize, rng);
        return pair;
    }

    /**
     * The geometric part of {@link #make} from a given full-size flow {@code (nd, shape...)} and crop origin,
     * without appearance transform: {@code moving} is the plain crop of the image. For parity with recorded
     * reference steps (their {@code flow_full} and {@code crop_code}).
     */
    public static ViewPair fromFlow(float[] image, int channels, int[] shape, float[] flowFull, int[] cropOrigin,
                                    int[] cropSize) {
        checkCrop(shape, cropSize);
        float[] flow = Shapes.crop(flowFull, shape.length, shape, cropOrigin, cropSize);
        return assemble(image, channels, shape, flow, cropOrigin, cropSize);
    }

    /** The crop corner: {@code randint(0, L_d − C_d)} per axis (high exclusive, as numpy), 0 when they are equal. */
    public static int[] drawCropOrigin(int[] shape, int[] cropSize, Rng rng) {
        checkCrop(shape, cropSize);
        int[] origin = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            origin[d] = shape[d] > cropSize[d] ? rng.randint(0, shape[d] - cropSize[d]) : 0;
        }
        return origin;
    }

    private static ViewPair assemble(float[] image, int channels, int[] shape, float[] flow, int[] origin,
                                     int[] cropSize) {
        float[] fixed = Warp.warpRegion(image, channels, shape, flow, origin, cropSize);
        float[] mask = CorrespondenceMask.mask(flow, cropSize);
        float[] moving = Shapes.crop(image, channels, shape, origin, cropSize);
        return new ViewPair(cropSize.clone(), channels, moving, fixed, flow, mask);
    }

    private static void checkCrop(int[] shape, int[] cropSize) {
        Shapes.checkDims(shape, "view generation");
        if (cropSize.length != shape.length) {
            throw new IllegalArgumentException("crop size " + Arrays.toString(cropSize) + " has a different rank than image shape " + Arrays.toString(shape));
        }
        for (int d = 0; d < shape.length; d++) {
            if (cropSize[d] < 1 || cropSize[d] > shape[d]) {
                throw new CoverException("crop size " + Arrays.toString(cropSize) + " does not fit in the loaded image of shape "
                        + Arrays.toString(shape) + " (the loader size must be at least the crop size on every axis)");
            }
        }
    }
}

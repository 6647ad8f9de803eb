package org.cover4j.downstream;

import org.cover4j.io.Image;
import org.cover4j.data.phantom.Phantom;
import org.cover4j.data.phantom.Phantoms;
import org.cover4j.io.MedicalImages;

import java.nio.file.Path;

/**
 * Writes labelled synthetic phantoms as files in the layout {@code finetune} reads ({@code DIR/images/NAME},
 * {@code DIR/labels/NAME}): 2D as 8-bit PNGs, 3D as NIfTI volumes with a given affine. For the demo and tests.
 */
public final class PhantomData {
    private PhantomData() {}

    /**
     * Writes phantoms {@code first .. first+count-1} of {@code seed} at {@code size} to {@code dir} as
     * {@code case_NNN.png} (dims 2) or {@code case_NNN.nii.gz} (dims 3, with {@code affine}, null for spacing 1).
     */
    public static void write(Path dir, int dims, long seed, int first, int count, int size, double[][] affine) {
        Evaluation.createDirectories(dir.resolve("images"));
        Evaluation.createDirectories(dir.resolve("labels"));
        for (int i = first; i < first + count; i++) {
            Phantom p = dims == 2 ? Phantoms.image2d(seed, i, size) : Phantoms.volume3d(seed, i, size);
            String name = String.format("case_%03d", i) + (dims == 2 ? ".png" : ".nii.gz");
            float[] img = p.image().clone();
            if (dims == 2) for (int v = 0; v < img.length; v++) img[v] = Math.round(img[v] * 255f);
            float[] lab = new float[p.labels().length];
            for (int v = 0; v < lab.length; v++) lab[v] = p.labels()[v];
            double[] spacing = spacing(affine, dims);
            MedicalImages.write(dir.resolve("images").resolve(name),
                    new Image(img, 1, p.shape(), spacing, affine, "memory", dims == 2 ? "uint8" : "float32"));
            MedicalImages.write(dir.resolve("labels").resolve(name), new Image(lab, 1, p.shape(), spacing, affine, "memory", "uint8"));
        }
    }

    private static double[] spacing(double[][] affine, int dims) {
        double[] s = new double[dims];
        for (int a = 0; a < dims; a++) {
            if (affine == null) {
                s[a] = 1;
                continue;
            }
            double n = 0;
            for (int r = 0; r < 3; r++) n += affine[r][a] * affine[r][a];
            s[a] = Math.sqrt(n);
        }
        return s;
    }
}

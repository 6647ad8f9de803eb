package org.cover4j.pretrain;

import org.bytedeco.pytorch.Device;
import org.cover4j.augment.AppearanceMode;
import org.cover4j.augment.CoverViews;
import org.cover4j.data.Presets;
import org.cover4j.data.phantom.Phantoms;
import org.cover4j.pretrain.cover.CoverMethod;
import org.cover4j.pretrain.cover.CoverModel;
import org.cover4j.train.PretrainSettings;
import org.cover4j.train.Trainer;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.io.PrintStream;
import java.nio.file.Path;

/** Builds the parts of a pre-training run from its settings: images, method, view maker. */
public final class Pretraining {
    private Pretraining() {}

    /** The images: the folder given by {@code --data}, or the embedded synthetic phantoms. */
    public static PretrainImages images(PretrainSettings s, PrintStream log) {
        int l = s.loaderSize();
        if (s.data() == null) {
            long seed = Phantoms.BUILT_IN_SEED;
            return PretrainImages.generated(s.demoImages(), s.dims(), l,
                    i -> s.dims() == 2 ? Phantoms.image2d(seed, i, l).image() : Phantoms.volume3d(seed, i, l).image(),
                    s.demoImages() + " synthetic " + s.dims() + "D phantoms (seed " + seed + ", size " + l + ")");
        }
        Path dir = Path.of(s.data());
        long t0 = System.nanoTime();
        java.util.function.IntConsumer progress = i -> {
            if (i > 0 && i % 100 == 0) log.printf("checked %d images in %s%n", i, dir);
        };
        PretrainImages images = s.preset() != null
                ? PretrainImages.preset(Presets.get(s.preset()), dir, s.dims(), s.size(), l, progress)
                : PretrainImages.folder(dir, s.dims(), s.size(), l, progress);
        log.printf("data: %d images in %s checked and prepared in %.1f s%n", images.size(), dir, (System.nanoTime() - t0) / 1e9);
        return images;
    }

    public static PretrainMethod method(PretrainSettings s, Device device) {
        if (!s.method().equals("cover")) throw CoverException.usage("--method " + s.method() + ": only cover is available");
        return new CoverMethod(new CoverModel(s.coverConfig(), device, new Rng(s.seed()).derive(7)));
    }

    public static Trainer.ViewMaker viewMaker(PretrainSettings s) {
        int l = s.loaderSize();
        int[] shape = s.dims() == 2 ? new int[] {l, l} : new int[] {l, l, l};
        AppearanceMode mode = s.appearance().equals("reference") ? AppearanceMode.REFERENCE : AppearanceMode.PAPER;
        return (image, rng) -> CoverViews.make(image, 1, shape, s.size(), s.degree(), mode, rng);
    }
}

package org.cover4j.pretrain;

import org.bytedeco.pytorch.Device;
import org.cover4j.data.Presets;
import org.cover4j.data.phantom.Phantoms;

import java.io.PrintStream;
import java.nio.file.Path;

/** Builds the parts of a pre-training run from its configuration: images and method. */
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
                ? PretrainImages.preset(Presets.get(s.preset()), dir, s.dims(), s.size(), l, s.nativeScale(), progress)
                : PretrainImages.folder(dir, s.dims(), s.size(), l, s.nativeScale(), progress);
        log.printf("data: %d images in %s checked and prepared in %.1f s%n", images.size(), dir, (System.nanoTime() - t0) / 1e9);
        return images;
    }

    /** The configured method with freshly initialised weights (drawn from the run's seed). */
    public static PretrainMethod<?> method(PretrainConfig config, Device device) {
        Methods.Entry entry = Methods.get(config.methodName());
        entry.checkBatch(config.common().batch());
        return entry.factory().create(config, device);
    }
}

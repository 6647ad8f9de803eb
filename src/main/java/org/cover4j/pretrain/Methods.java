package org.cover4j.pretrain;

import org.bytedeco.pytorch.Device;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Params;
import org.cover4j.nn.Backbone;
import org.cover4j.pretrain.byol.ByolMethod;
import org.cover4j.pretrain.cover.CoverMethod;
import org.cover4j.pretrain.genesis.GenesisMethod;
import org.cover4j.pretrain.pixcl.PixclMethod;
import org.cover4j.pretrain.rotation.RotationMethod;
import org.cover4j.pretrain.simsiam.SimSiamMethod;
import org.cover4j.util.CoverException;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The registry of pre-training methods: adding a method is one package and one line in {@link #ALL} (and its
 * option groups in {@link #OPTION_GROUPS}); the loop, the checkpoints and the command line do not change.
 */
public final class Methods {
    private Methods() {}

    /** Makes a method's model (weights drawn from the run's seed) for a configuration. */
    @FunctionalInterface
    public interface Factory {
        PretrainMethod<?> create(PretrainConfig config, Device device);
    }

    /**
     * One method: its name ({@code --method}), a one-line summary ({@code info --methods}), its settings record and
     * defaults, how its settings come from the command line's option groups, and its factory.
     */
    public record Entry(String name, String summary, Class<? extends MethodSettings> settingsType, MethodSettings defaults,
                        BiFunction<PretrainSettings, MethodOptions.Values, MethodSettings> fromOptions, Factory factory, int minBatch,
                        String minBatchReason) {
        public Entry(String name, String summary, Class<? extends MethodSettings> settingsType, MethodSettings defaults,
                     BiFunction<PretrainSettings, MethodOptions.Values, MethodSettings> fromOptions, Factory factory) {
            this(name, summary, settingsType, defaults, fromOptions, factory, 1, null);
        }

        /** Refuses a batch smaller than the method can learn from, in one line saying why. */
        public void checkBatch(int batch) {
            if (batch < minBatch) {
                throw CoverException.usage("--method " + name + " needs --batch " + minBatch + " or more, got " + batch + ": " + minBatchReason);
            }
        }
    }

    private static final List<Entry> ALL = List.of(
            CoverMethod.ENTRY,
            GenesisMethod.ENTRY,
            RotationMethod.ENTRY,
            ByolMethod.ENTRY,
            SimSiamMethod.ENTRY,
            PixclMethod.ENTRY);

    /** Every method's option groups, one instance per command line. */
    public static final List<Supplier<MethodOptions>> OPTION_GROUPS = List.of(
            org.cover4j.pretrain.cover.CoverViewOptions::new,
            org.cover4j.pretrain.cover.CoverOptions::new,
            org.cover4j.pretrain.genesis.GenesisOptions::new,
            org.cover4j.pretrain.byol.ByolOptions::new,
            org.cover4j.pretrain.simsiam.SimSiamOptions::new,
            org.cover4j.pretrain.pixcl.PixclOptions::new);

    public static List<Entry> all() {
        return ALL;
    }

    public static List<String> names() {
        return ALL.stream().map(Entry::name).toList();
    }

    /** The method {@code name}; a usage error listing the methods when there is none. */
    public static Entry get(String name) {
        for (Entry e : ALL) if (e.name().equals(name)) return e;
        throw CoverException.usage("--method " + name + " is not a pre-training method; choose one of " + String.join(", ", names()));
    }

    /** The stream every method draws its initial weights from: the backbone from {@code derive(1)}, heads from others. */
    public static org.cover4j.util.Rng modelRng(long seed) {
        return new org.cover4j.util.Rng(seed).derive(7);
    }

    /**
     * {@code config}'s backbone for one input channel, registered in {@code params} under {@link PretrainMethod#BACKBONE}
     * with weights from {@code modelRng(seed).derive(1)}: the weights a COVER run, any other method's run and a scratch
     * fine-tuning with the same seed start from.
     */
    public static Backbone backbone(PretrainConfig config, Params params) {
        return backbone(config.backbone(), params, config.common().dims(), config.common().size(), config.common().seed());
    }

    /** As {@link #backbone(PretrainConfig, Params)}, from its parts. */
    public static Backbone backbone(BackboneSpec spec, Params params, int dims, int size, long seed) {
        return spec.build(params, PretrainMethod.BACKBONE, dims, 1, cube(dims, size), modelRng(seed).derive(1));
    }

    /** {@code size} on each of {@code dims} axes. */
    public static int[] cube(int dims, int size) {
        int[] s = new int[dims];
        java.util.Arrays.fill(s, size);
        return s;
    }

    /** The stream a method's head draws its weights from ({@code modelRng(seed).derive(2)}, COVER's projections' too). */
    public static org.cover4j.util.Rng headRng(long seed) {
        return modelRng(seed).derive(2);
    }
}

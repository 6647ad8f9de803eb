package org.cover4j.nn;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backbones cover4j trains, by name: each a {@link Kind} that builds the network from a {@link BackboneSpec},
 * knows the input sizes it takes and its own options. Adding a network = one class implementing {@link Kind} and one
 * line in {@link #ALL}.
 */
public final class Backbones {
    /** Size presets of the networks other than the U-Net: fixture-sized, practical on a few CPU cores, the paper's. */
    public static final List<String> SIZES = List.of("tiny", "small", "base");
    public static final String DEFAULT_SIZE = "small";

    /** One backbone: how to build it and what it takes. */
    public interface Kind {
        String name();

        /** One line for {@code info --backbones} and {@code --help}. */
        String description();

        boolean supports3d();

        /** Whether this is the U-Net (sized by {@code --channels} rather than a preset). */
        default boolean isUnet() {
            return false;
        }

        /**
         * Whether fine-tuning from a pre-training checkpoint loads the decoder too by default ({@code --init-scope all})
         * or only the encoder; a backbone says false where loading the pre-trained decoder measurably hurt (see README).
         */
        default boolean finetunesPretrainedDecoder() {
            return true;
        }

        /** The names (without dashes) of this backbone's own options. */
        default List<String> optionNames() {
            return List.of();
        }

        /** Refuses options or values this backbone does not take (one line naming the option). */
        default void checkOptions(String size, Map<String, String> options) {
            for (String o : options.keySet()) {
                if (!optionNames().contains(o)) {
                    throw CoverException.usage("--" + o + " is not an option of --backbone " + name() + (optionNames().isEmpty() ? "" : " (its options: --"
                            + String.join(", --", optionNames()) + ")"));
                }
            }
        }

        /** Refuses an input size the network cannot take, naming {@code flag} and the nearest valid sizes. */
        void checkInput(BackboneSpec spec, int dims, int[] size, String flag);

        Backbone build(BackboneSpec spec, Params params, String prefix, int dims, int inChannels, int[] size, Rng rng);
    }

    private static final List<Kind> ALL = new ArrayList<>(List.of(new UNetKind(), new org.cover4j.nn.transunet.TransUNetKind(), new org.cover4j.nn.ukan.UKanKind(), new org.cover4j.nn.swinunet.SwinUnetKind()));

    private Backbones() {}

    public static List<Kind> all() {
        return List.copyOf(ALL);
    }

    public static List<String> names() {
        return ALL.stream().map(Kind::name).toList();
    }

    public static Kind get(String name) {
        for (Kind k : ALL) if (k.name().equals(name)) return k;
        throw CoverException.usage("--backbone " + name + " is not a backbone; choose one of " + String.join(", ", names()));
    }

    /** Every backbone's option names, with the backbone each belongs to. */
    public static Map<String, String> optionOwners() {
        Map<String, String> owners = new LinkedHashMap<>();
        for (Kind k : ALL) for (String o : k.optionNames()) owners.merge(o, k.name(), (a, b) -> a + "/" + b);
        return owners;
    }

    /** The integer option {@code name} of {@code options}, or {@code otherwise}; a non-number is refused naming the option. */
    public static int intOption(Map<String, String> options, String name, int otherwise) {
        String v = options.get(name);
        if (v == null) return otherwise;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw CoverException.usage("--" + name + " needs a whole number, got '" + v + "'");
        }
    }

    /** The integer-list option {@code name} (comma-separated), or {@code otherwise}. */
    public static int[] intsOption(Map<String, String> options, String name, int[] otherwise) {
        String v = options.get(name);
        if (v == null) return otherwise;
        try {
            return java.util.Arrays.stream(v.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw CoverException.usage("--" + name + " needs comma-separated whole numbers, got '" + v + "'");
        }
    }

    /**
     * The multiples of {@code step} nearest to {@code size} (one below, one above, at least {@code step}), for messages
     * that name the valid sizes.
     */
    public static String nearestMultiples(int size, int step) {
        int below = Math.max(step, size / step * step);
        int above = below >= size ? below + step : (size / step + 1) * step;
        if (below == size) return below + "";
        return below == above ? below + "" : below + " or " + above;
    }

    /** The U-Net of the reference (SPEC §2): any multiple of 16 per axis, 2D or 3D. */
    private static final class UNetKind implements Kind {
        @Override
        public String name() {
            return BackboneSpec.UNET;
        }

        @Override
        public String description() {
            return "the reference's U-Net (CNN; 2D and 3D; sized by --channels)";
        }

        @Override
        public boolean supports3d() {
            return true;
        }

        @Override
        public boolean isUnet() {
            return true;
        }

        @Override
        public void checkInput(BackboneSpec spec, int dims, int[] size, String flag) {
            for (int s : size) {
                if (s < 16 || s % 16 != 0) {
                    throw CoverException.usage(flag + " " + s + " does not suit the U-Net: it halves every axis four times, so sizes must be "
                            + "multiples of 16; nearest valid sizes " + nearestMultiples(s, 16) + " (" + Arrays.toString(size) + ")");
                }
            }
        }

        @Override
        public Backbone build(BackboneSpec spec, Params params, String prefix, int dims, int inChannels, int[] size, Rng rng) {
            return new UNet(params, prefix, dims, inChannels, spec.channels(), rng);
        }
    }
}

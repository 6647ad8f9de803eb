package org.cover4j.cli;

import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Backbones;
import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backbone options shared by {@code pretrain}, {@code finetune} and {@code benchmark}: which network, its size
 * preset and each network's own options. An option of another backbone than the chosen one is refused in one line.
 */
public final class BackboneOptions {
    @Option(names = "--backbone", paramLabel = "NAME", description = "The network: unet (2D/3D), transunet, swinunet or ukan (2D) (default: unet).")
    String backbone;

    @Option(names = "--backbone-size", paramLabel = "SIZE", description = "Size preset of transunet/swinunet/ukan: tiny (test-sized), small "
            + "(practical on a few CPU cores), base (the paper's) (default: small). The U-Net is sized by --channels.")
    String size;

    @Option(names = "--channels", paramLabel = "C,...", split = ",", description = "Nine U-Net channel counts, multiples of 8 (default: 32,64,128,256,512,256,128,64,32).")
    int[] channels;

    @Option(names = "--vit-layers", paramLabel = "N", description = "transunet: transformer layers (default: the size preset's; small 4, base 12).")
    void vitLayers(int v) {
        put("vit-layers", v);
    }

    @Option(names = "--hidden-size", paramLabel = "N", description = "transunet: token width (default: small 256, base 768).")
    void hiddenSize(int v) {
        put("hidden-size", v);
    }

    @Option(names = "--vit-heads", paramLabel = "N", description = "transunet: attention heads, dividing --hidden-size (default: small 8, base 12).")
    void vitHeads(int v) {
        put("vit-heads", v);
    }

    @Option(names = "--mlp-dim", paramLabel = "N", description = "transunet: the transformer MLP's width (default: small 1024, base 3072).")
    void mlpDim(int v) {
        put("mlp-dim", v);
    }

    @Option(names = "--embed-dim", paramLabel = "C", description = "swinunet: channels of the first stage (default: small 48, base 96).")
    void embedDim(int v) {
        put("embed-dim", v);
    }

    @Option(names = "--window", paramLabel = "W", description = "swinunet: attention window; it must divide every stage's grid (default: small 4, base 7).")
    void window(int v) {
        put("window", v);
    }

    @Option(names = "--kan-dims", paramLabel = "C,C,C", description = "ukan: the three embedding widths (default: 128,160,256).")
    void kanDims(String v) {
        put("kan-dims", v);
    }

    /** Backbone-specific options: name (without dashes) → value as given, for the spec. */
    private final Map<String, String> specific = new LinkedHashMap<>();

    /** Whether any backbone option was given (a resumed run or an --init must then agree). */
    boolean anyGiven(CommandLine.ParseResult pr) {
        for (String o : allNames()) if (pr.hasMatchedOption(o)) return true;
        return false;
    }

    private static List<String> allNames() {
        List<String> names = new ArrayList<>(List.of("--backbone", "--backbone-size", "--channels"));
        for (String o : Backbones.optionOwners().keySet()) names.add("--" + o);
        return names;
    }

    /** The name of the chosen backbone ({@code unet} when none is given). */
    String name() {
        return backbone == null ? BackboneSpec.UNET : backbone;
    }

    /** The spec the options describe (validated: unknown names, options of another backbone, bad values). */
    BackboneSpec spec() {
        String name = name();
        Backbones.Kind kind = Backbones.get(name);
        if (kind.isUnet() && size != null) {
            throw CoverException.usage("--backbone-size is for transunet, swinunet and ukan; the U-Net is sized by --channels");
        }
        Map<String, String> owners = Backbones.optionOwners();
        for (String o : specific.keySet()) {
            String owner = owners.get(o);
            if (owner != null && !List.of(owner.split("/")).contains(name)) {
                throw CoverException.usage("--" + o + " is an option of --backbone " + owner + ", not of --backbone " + name);
            }
        }
        return new BackboneSpec(name, kind.isUnet() ? channels : null, kind.isUnet() ? null : size, specific);
    }

    /** The options as command-line arguments that give the same spec (for a child process). */
    List<String> args() {
        List<String> a = new ArrayList<>();
        if (backbone != null) a.addAll(List.of("--backbone", backbone));
        if (size != null) a.addAll(List.of("--backbone-size", size));
        if (channels != null) {
            a.add("--channels");
            a.add(String.join(",", java.util.Arrays.stream(channels).mapToObj(Integer::toString).toList()));
        }
        specific.forEach((k, v) -> a.addAll(List.of("--" + k, v)));
        return a;
    }

    /** Records a backbone-specific option's value (called by the options' setters). */
    void put(String name, Object value) {
        if (value != null) specific.put(name, value.toString());
    }
}

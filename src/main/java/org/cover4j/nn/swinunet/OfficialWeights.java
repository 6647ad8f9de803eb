package org.cover4j.nn.swinunet;

import org.cover4j.io.StateDicts;
import org.cover4j.nn.Params;
import org.cover4j.util.CoverException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loading a state_dict saved by the official Swin-Unet code: the wrapper {@code SwinUnet} holds the network as
 * {@code swin_unet}, so its keys read {@code swin_unet.<key>} ({@code module.swin_unet.<key>} when saved from
 * DataParallel); a bare {@code SwinTransformerSys} has the keys as they are. The official head {@code output.weight}
 * is skipped when the model has none (cover4j's heads read the levels). Strict otherwise: every backbone tensor must be
 * present with its shape, and no other key may appear.
 */
final class OfficialWeights {
    private static final String[] WRAPPERS = {"module.", "swin_unet."};
    private static final String HEAD = "output.weight";
    private static final int SHOWN = 4;

    private OfficialWeights() {}

    /** {@code key} without the official wrappers' prefixes. */
    static String strip(String key) {
        String k = key;
        for (String w : WRAPPERS) if (k.startsWith(w)) k = k.substring(w.length());
        return k;
    }

    static void load(StateDicts.StateDict sd, Params params, String prefix, boolean hasHead) {
        String source = sd.file() == null ? "official weights" : sd.file().toString();
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, float[]> e : sd.values().entrySet()) {
            String key = strip(e.getKey());
            if (key.equals(HEAD) && !hasHead) continue;
            String name = prefix + key;
            if (!params.has(name)) {
                unexpected.add(key);
                continue;
            }
            values.put(name, e.getValue());
            shapes.put(name, sd.shapes().get(e.getKey()));
        }
        List<String> missing = new ArrayList<>();
        for (String name : params.names()) {
            if (name.startsWith(prefix) && !values.containsKey(name)) missing.add(name.substring(prefix.length()));
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            StringBuilder m = new StringBuilder(source).append(": not a Swin-Unet state_dict of this configuration (");
            if (!missing.isEmpty()) m.append(missing.size()).append(" missing: ").append(first(missing));
            if (!missing.isEmpty() && !unexpected.isEmpty()) m.append("; ");
            if (!unexpected.isEmpty()) m.append(unexpected.size()).append(" unexpected: ").append(first(unexpected));
            throw new CoverException(m.append(")").toString());
        }
        try {
            params.load(values, shapes, source, false);
        } catch (CoverException e) {
            long[] embed = shapes.get(prefix + "patch_embed.proj.weight");
            if (embed == null || embed.length != 4 || embed[1] == params.shape(prefix + "patch_embed.proj.weight")[1]) throw e;
            throw new CoverException(e.getMessage() + "; the file's patch embedding takes " + embed[1]
                    + " input channels: build the config with that in_chans (official checkpoints have 3; 1-channel images are then repeated)");
        }
    }

    private static String first(List<String> keys) {
        String shown = String.join(", ", keys.subList(0, Math.min(SHOWN, keys.size())));
        return keys.size() > SHOWN ? shown + ", ..." : shown;
    }
}

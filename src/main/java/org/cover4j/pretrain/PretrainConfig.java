package org.cover4j.pretrain;

import org.cover4j.nn.BackboneSpec;
import org.cover4j.train.Checkpoints;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole pre-training run's definition: the common settings, the method's own, and the backbone. Written into
 * every checkpoint as {@code settings}, {@code method_settings} and {@code backbone}, and read back from it.
 */
public record PretrainConfig(PretrainSettings common, MethodSettings method, BackboneSpec backbone) {
    public PretrainConfig {
        Methods.Entry entry = Methods.get(common.method());
        if (!entry.settingsType().isInstance(method)) {
            throw new IllegalArgumentException(common.method() + " needs " + entry.settingsType().getSimpleName() + ", got " + method);
        }
    }

    /** The default settings of {@code common}'s method on the default U-Net. */
    public static PretrainConfig of(PretrainSettings common) {
        return new PretrainConfig(common, Methods.get(common.method()).defaults(), BackboneSpec.unet(null));
    }

    public String methodName() {
        return common.method();
    }

    /** The checkpoint JSON parts of this configuration. */
    public Map<String, Object> toCheckpointParts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("settings", Checkpoints.tree(common));
        m.put("method_settings", Checkpoints.tree(method));
        m.put("backbone", Checkpoints.tree(backbone));
        return m;
    }

    /**
     * The configuration a checkpoint records. Version 1 checkpoints (COVER only) kept every setting in one flat
     * {@code settings} object: the method's and the backbone's parts are read from it.
     */
    public static PretrainConfig fromCheckpoint(Checkpoints.Loaded c) {
        Map<?, ?> doc = c.doc();
        boolean split = doc.get("method_settings") != null;
        PretrainSettings common = Checkpoints.part(doc, "settings", PretrainSettings.class, c.json());
        Methods.Entry entry = Methods.get(common.method());
        MethodSettings method = Checkpoints.part(doc, split ? "method_settings" : "settings", entry.settingsType(), c.json());
        BackboneSpec backbone = Checkpoints.part(doc, split ? "backbone" : "settings", BackboneSpec.class, c.json());
        return new PretrainConfig(common, method, backbone);
    }
}

package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.nio.file.Path;
import java.util.Map;

/**
 * Weights with a NaN or an infinity are never written and never loaded: a model that diverged would otherwise be
 * saved as "the last checkpoint", fine-tuned from, or evaluated, and every number after it would be meaningless.
 */
public final class FiniteValues {
    private FiniteValues() {}

    /** The first non-finite value of {@code tensors} (in their order), as "tensor 'NAME' element I is NaN"; null when all are finite. */
    public static String firstNonFinite(Map<String, float[]> tensors) {
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            float[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) return "tensor '" + e.getKey() + "' element " + i + " is " + v[i];
            }
        }
        return null;
    }

    /** Refuses to load {@code tensors} read from {@code file} when one holds a non-finite value, naming the first. */
    public static void requireFinite(Map<String, float[]> tensors, Path file) {
        String bad = firstNonFinite(tensors);
        if (bad != null) throw CoverException.file(file, bad + "; weights with NaN or infinite values are not loaded (the run that wrote them diverged)");
    }
}

package org.cover4j.data;

import org.cover4j.util.CoverException;

import java.util.Locale;

/** The part of a data set an item belongs to. */
public enum Split {
    TRAIN, VAL, TEST;

    /** The lower-case name used in manifests and folder names: train, val, test. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses train / val / test (case-insensitive); anything else is a {@link CoverException} naming {@code where}. */
    public static Split parse(String s, String where) {
        for (Split v : values()) if (v.key().equalsIgnoreCase(s.trim())) return v;
        throw new CoverException(where + ": split must be train, val or test, got '" + s + "'");
    }
}

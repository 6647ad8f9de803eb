package org.cover4j.downstream;

import org.cover4j.util.CoverException;

import java.util.Locale;

/** Which parameters fine-tuning trains: all of them, or only the new head on a frozen backbone (linear probe). */
public enum Mode {
    FINETUNE, LINEAR;

    public static Mode parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("finetune") || t.equals("fine-tune")) return FINETUNE;
        if (t.equals("linear") || t.equals("linear-probe")) return LINEAR;
        throw CoverException.usage("--mode " + s + ": expected finetune or linear");
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}

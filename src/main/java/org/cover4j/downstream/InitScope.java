package org.cover4j.downstream;

import org.cover4j.util.CoverException;

import java.util.Locale;

/**
 * {@code --init-scope}: which backbone tensors {@code --init} loads — all of them, or only the encoder's (the decoder then
 * keeps its fresh initialisation, as when only an encoder was pre-trained). Which tensors are the encoder's is the
 * backbone's answer ({@link org.cover4j.nn.Backbone#isEncoderTensor}).
 */
public enum InitScope {
    ALL, ENCODER;

    /** {@code all} or {@code encoder}; null (a run saved before the option existed) is {@code all}. */
    public static InitScope parse(String s) {
        if (s == null) return ALL;
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("all")) return ALL;
        if (t.equals("encoder")) return ENCODER;
        throw CoverException.usage("--init-scope " + s + ": expected all or encoder");
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}

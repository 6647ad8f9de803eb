package org.cover4j.cli;

import java.util.regex.Pattern;

/** Words for the commands cover4j prints for users to copy (e.g. how to resume a run). */
final class Quoting {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    private Quoting() {}

    /** {@code word} as a POSIX shell reads it back: unchanged when plain, else in single quotes. */
    static String shell(String word) {
        if (PLAIN.matcher(word).matches()) return word;
        return "'" + word.replace("'", "'\\''") + "'";
    }
}

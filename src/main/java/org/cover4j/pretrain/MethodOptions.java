package org.cover4j.pretrain;

import java.util.List;

/**
 * A group of command-line options of one or more methods: a class with picocli {@code @Option} fields (defaults
 * in the fields), shown by {@code pretrain --help} as a section of its own. The command refuses an option of a
 * group whose {@link #methods()} do not include the chosen method.
 */
public interface MethodOptions {
    /** The help section's heading, e.g. "COVER options". */
    String heading();

    /** The methods these options apply to. */
    List<String> methods();

    /** The option groups of one command line, by class (each group made once per command). */
    interface Values {
        <T extends MethodOptions> T get(Class<T> type);
    }
}

package org.cover4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options every command shares (declared once, mixed in with {@code @Mixin}). */
public final class Options {
    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all ${sys:cover4j.cores} cores).")
    Integer threads;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    int threadsOrDefault() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** Whether {@code --debug} was given anywhere on the command line (for the error handler). */
    static boolean debug(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult r = pr; r != null; r = r.hasSubcommand() ? r.subcommand() : null) {
            if (r.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    static {
        System.setProperty("cover4j.cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    }
}

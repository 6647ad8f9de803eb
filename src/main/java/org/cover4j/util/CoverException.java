package org.cover4j.util;

/**
 * The one error type for user-facing problems: a bad file, a bad flag, a mismatched checkpoint.
 * Its message is a single line that names the file or option and what is wrong; the command line
 * prints it (without a stack trace unless {@code --debug}) and exits with {@link #exitCode()}.
 */
public class CoverException extends RuntimeException {
    /** Exit status for a command-line usage error (unknown flag, bad value). picocli uses the same. */
    public static final int USAGE = 2;
    /** Exit status for unreadable, corrupt or inconsistent input data. */
    public static final int BAD_DATA = 3;
    /** Exit status for a training run that had to stop (non-finite losses, interrupted resources). */
    public static final int TRAINING_FAILED = 4;
    /** Exit status for an unexpected internal fault (a bug): printed with a hint to use --debug. */
    public static final int INTERNAL = 70;

    private final int exitCode;

    public CoverException(String message) {
        this(message, BAD_DATA, null);
    }

    public CoverException(String message, Throwable cause) {
        this(message, BAD_DATA, cause);
    }

    public CoverException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CoverException usage(String message) {
        return new CoverException(message, USAGE, null);
    }

    /** An error about one file: the message starts with the file's path. */
    public static CoverException file(java.nio.file.Path file, String problem) {
        return new CoverException(file + ": " + problem);
    }

    public int exitCode() {
        return exitCode;
    }
}

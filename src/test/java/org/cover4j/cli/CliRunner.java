package org.cover4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real command line in-process and captures its exit code and output. */
final class CliRunner {
    record Run(int code, String out, String err) {}

    private CliRunner() {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Small-model options that keep a pre-training test to seconds on 2 cores. */
    static String[] tiny(String... more) {
        String[] base = {"--size", "32", "--batch", "2", "--channels", "8,16,32,64,128,64,32,16,8", "--demo-images", "4",
                "--threads", "1", "--workers", "1"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}

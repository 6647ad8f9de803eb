package org.cover4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the real command line in-process and captures its exit code and output. */
final class CliRunner {
    /** {@code err}: the command's error messages; {@code log}: what the run printed on {@code System.err} (progress, notes). */
    record Run(int code, String out, String err, String log) {
        Run(int code, String out, String err) {
            this(code, out, err, "");
        }
    }

    private CliRunner() {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream systemErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // The run's notes go to System.err; keep a copy for the test and still show them.
        System.setErr(new PrintStream(new TeeOutputStream(log, systemErr), true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        } finally {
            System.err.flush();
            System.setErr(systemErr);
        }
        return new Run(code, out.toString(), err.toString(), log.toString(StandardCharsets.UTF_8));
    }

    /** Writes to two streams. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeOutputStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
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

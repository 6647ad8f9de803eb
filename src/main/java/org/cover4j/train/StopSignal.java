package org.cover4j.train;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request to stop a training run, from SIGTERM or SIGINT (Ctrl-C): the first signal lets the current step finish, a
 * checkpoint be written and the command end with 143 (SIGTERM) or 130 (SIGINT) after printing how to resume; a second
 * signal ends the process at once with the same status. Stopping at once never leaves a run that cannot be resumed:
 * every checkpoint file is written under a temporary name and committed by one atomic rename of its manifest, so the
 * newest committed checkpoint stays intact (the temporaries are removed by the next run in the folder).
 *
 * <p>The handlers ({@code sun.misc.Signal}, module {@code jdk.unsupported}) replace the JVM's, which would exit without
 * a checkpoint, only between {@link #install} and {@link #close}. Where the JVM reserves the signals ({@code -Xrs}),
 * nothing is installed and the signals keep their default effect.
 */
public final class StopSignal implements AutoCloseable {
    /** Never requested: for runs without handlers (tests, the benchmark). */
    public static final StopSignal NONE = new StopSignal(null, "");

    public static final int EXIT_SIGINT = 130;
    public static final int EXIT_SIGTERM = 143;

    private final PrintStream log;
    private final String resumeHint;
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile String received;
    private volatile int exitCode;

    private StopSignal(PrintStream log, String resumeHint) {
        this.log = log;
        this.resumeHint = resumeHint;
    }

    /**
     * Installs the handlers for a run; {@code resumeCommand} is printed with a second signal's message (the full
     * message after a checkpoint is the command's to print).
     */
    public static StopSignal install(PrintStream log, String resumeCommand) {
        StopSignal s = new StopSignal(log, resumeCommand);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal sig = new Signal(name);
                s.previous.put(sig, Signal.handle(sig, s::handle));
            } catch (IllegalArgumentException e) {
                // reserved by the JVM (-Xrs) or unknown on this system: keep the default behaviour
            }
        }
        return s;
    }

    /** Whether a stop was requested. */
    public boolean requested() {
        return received != null;
    }

    /** The signal received, "SIGTERM" or "SIGINT" (null when none). */
    public String signalName() {
        return received;
    }

    /** The exit status for the signal received: 143 for SIGTERM, 130 for SIGINT. */
    public int exitCode() {
        return exitCode;
    }

    /** Records a stop request as if {@code signal} ("TERM", "INT") had arrived; the handlers call it. */
    void request(String signal) {
        String name = "SIG" + signal;
        int code = signal.equals("INT") ? EXIT_SIGINT : EXIT_SIGTERM;
        if (received != null) {
            log.printf("%ncover4j: second %s: stopping at once; the newest checkpoint is intact%s%n", name,
                    resumeHint.isEmpty() ? "" : "; resume with: " + resumeHint);
            log.flush();
            Runtime.getRuntime().halt(code);
        }
        exitCode = code;
        received = name;
        log.printf("%ncover4j: %s received: finishing the current step and saving a checkpoint (send it again to stop at once)%n", name);
        log.flush();
    }

    private void handle(Signal signal) {
        request(signal.getName());
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
        previous.clear();
    }
}

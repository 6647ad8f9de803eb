package org.cover4j.cli;

import org.cover4j.train.Provenance;
import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cover4j} command line. Only {@link #main} calls {@code System.exit}; tests build the same
 * command line with {@link #commandLine(PrintWriter, PrintWriter)} and check exit codes and messages.
 */
@Command(name = "cover4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        header = "Pixel-wise self-supervised pre-training of 2D and 3D medical images with COVER.",
        description = {"", "Pre-train a U-Net with COVER (vector contrastive learning) on unlabelled images, fine-tune it "
                + "for segmentation or classification, evaluate and predict. Run '${COMMAND-NAME} demo' for a "
                + "few-minute tour on built-in synthetic phantoms.", ""},
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:success",
                "2:usage error (unknown or invalid option; --out in use by another run; data changed on --resume)",
                "3:bad input data (unreadable, corrupt or inconsistent files; weights with NaN or infinite values)",
                "4:training stopped (repeated non-finite losses, non-finite weights, a full disk)",
                "70:internal error (a bug; rerun with --debug and report it)",
                "130:interrupted by SIGINT (Ctrl-C) after saving a checkpoint; the message says how to resume",
                "143:interrupted by SIGTERM after saving a checkpoint; the message says how to resume"},
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Sub-commands, added here as they are written; each is a {@code Callable<Integer>} picocli command. */
    static List<Object> subcommands() {
        List<Object> cmds = new ArrayList<>();
        for (String name : new String[] {"PretrainCommand", "DemoCommand", "BenchmarkCommand", "InfoCommand",
                "FinetuneCommand", "EvaluateCommand", "PredictCommand", "SlicesCommand", "AnalyzeCommand"}) {
            try {
                cmds.add(Class.forName("org.cover4j.cli." + name).getDeclaredConstructor().newInstance());
            } catch (ClassNotFoundException e) {
                // not part of this build
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return cmds;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        for (Object sub : subcommands()) {
            cl.addSubcommand(sub);
            if (sub instanceof PretrainCommand p) {
                p.methodOptions = MethodOptionGroups.addTo(cl.getSubcommands().get("pretrain").getCommandSpec());
            }
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + ex.getMessage()
                    + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return CoverException.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            boolean debug = Options.debug(parseResult);
            if (debug) ex.printStackTrace(c.getErr());
            if (ex instanceof CoverException ce) {
                c.getErr().println("cover4j: " + ce.getMessage());
                c.getErr().flush();
                return ce.exitCode();
            }
            c.getErr().println("cover4j: internal error: " + ex + (debug ? "" : " (rerun with --debug for the stack trace)"));
            c.getErr().flush();
            return CoverException.INTERNAL;
        });
        return cl;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** {@code --version}: the project version and the engine. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cover4j " + Provenance.version(), "engine: " + org.cover4j.torch.Torch.ENGINE,
                    "java: " + System.getProperty("java.version")};
        }
    }
}

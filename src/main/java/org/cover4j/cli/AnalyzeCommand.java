package org.cover4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cover4j analyze}: analyses of what a backbone has learnt; each analysis is a sub-command. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        header = "Analyse the features of pre-trained backbones (e.g. their local dispersion).",
        description = {"", "Run '${COMMAND-FULL-NAME} dispersion --help' for the feature-dispersion analysis of the COVER paper, '${COMMAND-FULL-NAME} flow --help' for COVER's displacement error per pyramid level."},
        commandListHeading = "%nAnalyses:%n",
        subcommands = {DispersionCommand.class, FlowCommand.class})
public final class AnalyzeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

package org.cover4j.cli;

import org.cover4j.pretrain.Methods;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every registered method survives kill -9: a separate process killed as soon as its first checkpoint is committed,
 * then resumed, ends with exactly (bitwise) the weights, buffers and EMA targets of an uninterrupted run.
 */
class EveryMethodResumesAfterKillTest {
    static Stream<String> methods() {
        return Methods.names().stream();
    }

    static String[] args(String method, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--method", method));
        a.addAll(List.of(CliRunner.tiny("--steps", "4", "--checkpoint-every", "1", "--seed", "3", "--out", out.toString())));
        // Small heads keep the Siamese methods' 4096- and 2048-wide projectors out of a test's time.
        if (method.equals("byol")) a.addAll(List.of("--byol-hidden", "32", "--byol-dim", "16"));
        if (method.equals("simsiam")) a.addAll(List.of("--simsiam-dim", "32", "--simsiam-hidden", "16"));
        if (method.equals("genesis")) a.addAll(List.of("--genesis-blocks", "50"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void killedAndResumedEqualsUninterrupted(String method, @TempDir Path tmp) throws Exception {
        Path full = tmp.resolve("full");
        CliRunner.Run r = CliRunner.run(args(method, full));
        assertEquals(0, r.code(), r.err());
        Path killed = tmp.resolve("killed");
        PretrainResumeTest.killWhenWritten(args(method, killed), killed.resolve("checkpoints/step-1.json"), tmp.resolve("killed.log"));
        r = CliRunner.run(args(method, killed, "--resume"));
        assertEquals(0, r.code(), r.err());
        PretrainResumeTest.assertSameWeights(full, killed);
    }

    /** The originals' optimizer, SGD with Nesterov momentum, resumes as exactly (its buffers are in the checkpoint). */
    @org.junit.jupiter.api.Test
    void sgdWithMomentumResumesToo(@TempDir Path tmp) throws Exception {
        String[] sgd = {"--optimizer", "sgd", "--lr", "0.01", "--momentum", "0.9", "--nesterov"};
        Path full = tmp.resolve("full");
        CliRunner.Run r = CliRunner.run(args("rotation", full, sgd));
        assertEquals(0, r.code(), r.err());
        Path killed = tmp.resolve("killed");
        PretrainResumeTest.killWhenWritten(args("rotation", killed, sgd), killed.resolve("checkpoints/step-1.json"), tmp.resolve("killed.log"));
        r = CliRunner.run(args("rotation", killed, "--resume"));
        assertEquals(0, r.code(), r.err());
        PretrainResumeTest.assertSameWeights(full, killed);
        String doc = java.nio.file.Files.readString(full.resolve("checkpoints/last.json"));
        org.junit.jupiter.api.Assertions.assertTrue(doc.contains("\"type\" : \"sgd\"") && doc.contains("\"nesterov\" : true"), doc);
        PretrainErrorsTest.assertOneLineError(CliRunner.run(args("rotation", tmp.resolve("bad"), "--nesterov")), 2,
                "--nesterov is for --optimizer sgd");
    }
}

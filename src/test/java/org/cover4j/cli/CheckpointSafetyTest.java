package org.cover4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cover4j.io.SafeTensors;
import org.cover4j.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.cover4j.cli.PretrainErrorsTest.assertOneLineError;
import static org.cover4j.cli.PretrainErrorsTest.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a checkpoint may hold and what a run may resume from: retention, non-finite weights (never written, never
 * loaded), data that changed under a resumed run, impossible batches, and state files with bad fields.
 */
class CheckpointSafetyTest {
    static String[] pretrain(Path out, int steps, String... more) {
        return concat(concat(new String[] {"pretrain", "--steps", "" + steps, "--seed", "2", "--out", out.toString()}, CliRunner.tiny()), more);
    }

    static TreeSet<String> checkpointFiles(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("checkpoints"))) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void theNewestCheckpointsAndTheMilestonesAreKept(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        CliRunner.Run r = CliRunner.run(pretrain(out, 5, "--checkpoint-every", "1", "--keep-checkpoints", "2", "--keep-every", "2"));
        assertEquals(0, r.code(), r.err());
        TreeSet<String> expected = new TreeSet<>(List.of("last.json", "last.safetensors"));
        for (int s : new int[] {2, 4, 5}) expected.addAll(List.of("step-" + s + ".json", "step-" + s + ".safetensors", "step-" + s + ".optim.safetensors"));
        assertEquals(expected, checkpointFiles(out));
        assertArrayEquals(Files.readAllBytes(out.resolve("checkpoints/step-5.safetensors")), Files.readAllBytes(out.resolve("checkpoints/last.safetensors")));
        // The manifest names the step files with their sizes and hashes.
        Map<?, ?> files = (Map<?, ?>) DownstreamFixtures.json(out.resolve("checkpoints/last.json")).get("files");
        Map<?, ?> weights = (Map<?, ?>) files.get("weights");
        assertEquals("step-5.safetensors", weights.get("name"));
        assertEquals(Files.size(out.resolve("checkpoints/step-5.safetensors")), ((Number) weights.get("bytes")).longValue());
        assertOneLineError(CliRunner.run(pretrain(tmp.resolve("o2"), 1, "--keep-checkpoints", "0")), 2, "--keep-checkpoints");
        assertOneLineError(CliRunner.run(pretrain(tmp.resolve("o3"), 1, "--keep-every", "-1")), 2, "--keep-every");
    }

    @Test
    void nonFiniteWeightsAreRefusedByFileAndTensor(@TempDir Path tmp) throws Exception {
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 32);
        Path model = tmp.resolve("m");
        assertEquals(0, CliRunner.run(DownstreamFixtures.seg(data, model, 2)).code());
        Map<String, SafeTensors.Tensor> best = DownstreamFixtures.tensors(model.resolve("best.safetensors"));
        LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        best.forEach((k, t) -> {
            values.put(k, t.data().clone());
            shapes.put(k, t.shape());
        });
        String victim = "backbone.down2.maxpool_conv.1.double_conv.0.weight";
        values.get(victim)[5] = Float.NaN;

        // --init
        Path bad = tmp.resolve("bad.safetensors");
        SafeTensors.write(bad, values, shapes, null);
        assertOneLineError(CliRunner.run(DownstreamFixtures.seg(data, tmp.resolve("a"), 2, "--init", bad.toString())), 3,
                bad.toString(), "tensor '" + victim + "' element 5 is NaN");
        assertOneLineError(CliRunner.run(pretrain(tmp.resolve("p"), 1, "--init", bad.toString())), 3, bad.toString(), victim);

        // predict: a best.safetensors replaced after model.json was written no longer matches it ...
        SafeTensors.write(model.resolve("best.safetensors"), values, shapes, Map.of("format", "cover4j-finetuned", "task", "seg"));
        String[] predict = {"predict", "--model", model.toString(), "--input", data.resolve("test/images").toString(), "--out",
                tmp.resolve("pred").toString(), "--threads", "1"};
        assertOneLineError(CliRunner.run(predict), 3, model.resolve("model.json").toString(), "best.safetensors has SHA-256", "--resume");
        // ... and one that matches but holds a NaN (a model.json without fingerprints, as older versions wrote) is refused.
        ObjectMapper json = new ObjectMapper();
        ObjectNode doc = (ObjectNode) json.readTree(model.resolve("model.json").toFile());
        doc.remove("files");
        json.writeValue(model.resolve("model.json").toFile(), doc);
        assertOneLineError(CliRunner.run(predict), 3, model.resolve("best.safetensors").toString(), victim, "NaN");
        assertFalse(Files.exists(tmp.resolve("pred")) && Files.list(tmp.resolve("pred")).findAny().isPresent(), "nothing predicted");
    }

    @Test
    void aResumedRunRefusesChangedDataUnlessAllowed(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("images");
        PretrainErrorsTest.png(data.resolve("a.png"), 64, 64);
        PretrainErrorsTest.png(data.resolve("b.png"), 64, 64);
        Path link = Files.createSymbolicLink(tmp.resolve("same-images"), data);
        Path out = tmp.resolve("run");
        assertEquals(0, CliRunner.run(pretrain(out, 1, "--data", data.toString())).code());
        // The same folder by another name: fine.
        CliRunner.Run r = CliRunner.run(pretrain(out, 2, "--data", link.toString(), "--resume"));
        assertEquals(0, r.code(), r.err());

        PretrainErrorsTest.png(data.resolve("c.png"), 64, 64);
        byte[] before = Files.readAllBytes(out.resolve("checkpoints/last.json"));
        r = CliRunner.run(pretrain(out, 3, "--resume"));
        assertOneLineError(r, 2, "--resume: the data listing changed", "3 images in " + data, "--allow-data-change");
        assertArrayEquals(before, Files.readAllBytes(out.resolve("checkpoints/last.json")), "nothing written");

        r = CliRunner.run(pretrain(out, 3, "--resume", "--allow-data-change"));
        assertEquals(0, r.code(), r.err());
        Checkpoints.Loaded ck = Checkpoints.read(out.resolve("checkpoints/last.json"));
        assertEquals(3, ck.step());
        assertEquals(1, ck.provenance().dataChanges().size());
        assertTrue(ck.provenance().dataChanges().get(0).startsWith("step 2: the data listing changed"), ck.provenance().dataChanges().toString());
        assertEquals(data.toRealPath().toString(), ck.provenance().dataPath());

        // Another folder altogether.
        Path other = tmp.resolve("other");
        PretrainErrorsTest.png(other.resolve("a.png"), 64, 64);
        assertOneLineError(CliRunner.run(pretrain(out, 4, "--resume", "--data", other.toString())), 2, "--data " + other,
                "not the checkpoint's data folder", "--allow-data-change");
    }

    @Test
    void aBatchThatCannotFitIsRefusedBeforeAnythingIsAllocated(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        String[] huge = {"pretrain", "--out", out.toString(), "--size", "32", "--batch", "100000000", "--channels", DownstreamFixtures.TINY,
                "--threads", "1"};
        assertOneLineError(CliRunner.run(huge), 2, "--batch 100000000", "needs at least",
                "GiB of memory", "rough lower bound", "lower --batch or --size");
        assertFalse(Files.exists(out), "nothing written: the folder the lock made is removed again");
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 32);
        assertOneLineError(CliRunner.run(DownstreamFixtures.seg(data, tmp.resolve("m"), 2, "--batch", "100000000")), 2,
                "--batch 100000000", "--patch 32x32");
        assertFalse(Files.exists(tmp.resolve("m")), "nothing written: the folder the lock made is removed again");
    }

    @Test
    void numericOptionsOutOfRangeAreRefusedByName(@TempDir Path tmp) {
        Path data = tmp.resolve("seg"); // never read: the options are checked first
        for (String[] bad : new String[][] {{"--clip", "NaN"}, {"--clip", "-1"}, {"--lr", "Infinity"}, {"--weight-decay", "Infinity"},
                {"--dim", "5"}, {"--classes", "-2"}, {"--patch", "0"}, {"--max-bad-steps", "0"}, {"--warmup", "-3"}, {"--lr", "1e39"}}) {
            assertOneLineError(CliRunner.run(DownstreamFixtures.seg(data, tmp.resolve("m"), 2, bad)), 2, bad[0]);
        }
        // --lr 1e39 and --weight-decay 1e39 used to pass and fail at the first step (exit 70): a float32 overflow.
        for (String[] bad : new String[][] {{"--clip", "NaN"}, {"--lr", "0"}, {"--lr", "1e39"}, {"--weight-decay", "NaN"},
                {"--weight-decay", "1e39"}, {"--warmup", "-1"}, {"--checkpoint-every", "0"}}) {
            assertOneLineError(CliRunner.run(pretrain(tmp.resolve("p"), 1, bad)), 2, bad[0]);
        }
        assertFalse(Files.exists(tmp.resolve("m")) || Files.exists(tmp.resolve("p")), "nothing written");
    }

    @Test
    void aFineTuningStateHalfReplacedFallsBackToTheStateBefore(@TempDir Path tmp) throws Exception {
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 32);
        Path full = tmp.resolve("full");
        assertEquals(0, CliRunner.run(DownstreamFixtures.seg(data, full, 6, "--seed", "3")).code());
        Path torn = tmp.resolve("torn");
        assertEquals(0, CliRunner.run(DownstreamFixtures.seg(data, torn, 4, "--seed", "3")).code());
        // Killed while replacing the state of step 4: its weights beside the optimizer state of step 2.
        Files.copy(torn.resolve("step-2.optim.safetensors"), torn.resolve("step-4.optim.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRunner.Run r = CliRunner.run(DownstreamFixtures.seg(data, torn, 6, "--seed", "3", "--resume"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.log().contains("step-4.optim.safetensors has SHA-256") && r.log().contains("resuming " + torn + " at step 2 of 6"), r.log());
        assertArrayEquals(Files.readAllBytes(full.resolve("last.safetensors")), Files.readAllBytes(torn.resolve("last.safetensors")),
                "the fallback run ends as the uninterrupted one");
    }

    @Test
    void stateFilesWithBadFieldsAreRefusedByName(@TempDir Path tmp) throws Exception {
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 32);
        Path out = tmp.resolve("m");
        assertEquals(0, CliRunner.run(DownstreamFixtures.seg(data, out, 2)).code());
        ObjectMapper json = new ObjectMapper();
        Path state = out.resolve("train-state.json");
        ObjectNode doc = (ObjectNode) json.readTree(state.toFile());
        doc.put("step", "two");
        json.writeValue(state.toFile(), doc);
        assertOneLineError(CliRunner.run(DownstreamFixtures.seg(data, out, 4, "--resume")), 3, state.toString(), "'step'", "two");

        Path run = tmp.resolve("run");
        assertEquals(0, CliRunner.run(pretrain(run, 1)).code());
        Path last = run.resolve("checkpoints/last.json");
        doc = (ObjectNode) json.readTree(last.toFile());
        doc.remove("step");
        json.writeValue(last.toFile(), doc);
        assertOneLineError(CliRunner.run(pretrain(run, 2, "--resume")), 3, last.toString(), "step is missing");
    }
}

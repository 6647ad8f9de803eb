package org.cover4j.cli;

import org.cover4j.io.Image;
import org.cover4j.downstream.DownstreamNet;
import org.cover4j.downstream.ModelSpec;
import org.cover4j.downstream.Task;
import org.cover4j.io.MedicalImages;
import org.cover4j.io.SafeTensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.cover4j.cli.DownstreamFixtures.TINY;
import static org.cover4j.cli.DownstreamFixtures.json;
import static org.cover4j.cli.DownstreamFixtures.seg;
import static org.cover4j.cli.DownstreamFixtures.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cover4j finetune} end to end on small phantom files, and its refusals of bad input. */
class FinetuneCommandTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path pretrain;

    @BeforeAll
    static void setUp() {
        data = DownstreamFixtures.seg2d(shared.resolve("seg"), 4, 2, 48);
        pretrain = DownstreamFixtures.pretrain(shared.resolve("pretrain"));
    }

    @Test
    void segmentationWritesAModelThatDescribesItself(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("m");
        CliRunner.Run r = CliRunner.run(seg(data, out, 4, "--test", data.resolve("test").toString()));
        assertEquals(0, r.code(), r.err());
        Map<?, ?> model = (Map<?, ?>) json(out.resolve("model.json")).get("model");
        assertEquals("seg", model.get("task"));
        assertEquals(5, model.get("num_classes"), "phantom labels 0..4");
        assertEquals(List.of(32, 32), model.get("patch"));
        assertEquals(List.of(8, 16, 32, 64, 128, 64, 32, 16, 8), model.get("channels"));
        assertEquals("auto", model.get("normalization"));
        Map<String, SafeTensors.Tensor> w = tensors(out.resolve("best.safetensors"));
        assertArrayEquals(new long[] {5, 8, 1, 1}, w.get("seg_head.weight").shape());
        assertTrue(w.containsKey("backbone.inc.double_conv.0.weight"));
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(5, rows.size(), "header + one row per step");
        assertTrue(rows.get(0).contains("val_mean_dice"));
        assertFalse(rows.get(2).endsWith(",,") , "validated at step 2: " + rows.get(2));
        Map<?, ?> test = json(out.resolve("test/metrics.json"));
        double d = ((Number) test.get("mean_dice")).doubleValue();
        assertTrue(d >= 0 && d <= 1);
        assertTrue(Files.exists(out.resolve("test/per_case.csv")));
    }

    @Test
    void linearProbeTrainsOnlyTheHeadOnTheCoverBackbone(@TempDir Path tmp) {
        Path lin = tmp.resolve("linear");
        CliRunner.Run r = CliRunner.run(seg(data, lin, 4, "--init", pretrain.toString(), "--mode", "linear", "--lr", "1e-2"));
        assertEquals(0, r.code(), r.err());
        Path ft = tmp.resolve("finetune");
        r = CliRunner.run(seg(data, ft, 4, "--init", pretrain.resolve("checkpoints/last.json").toString(), "--lr", "1e-2"));
        assertEquals(0, r.code(), r.err());
        Map<String, SafeTensors.Tensor> ckpt = tensors(pretrain.resolve("checkpoints/last.safetensors"));
        Map<String, SafeTensors.Tensor> linear = tensors(lin.resolve("last.safetensors"));
        Map<String, SafeTensors.Tensor> tuned = tensors(ft.resolve("last.safetensors"));
        int backbone = 0;
        boolean tunedMoved = false;
        for (Map.Entry<String, SafeTensors.Tensor> e : linear.entrySet()) {
            if (!e.getKey().startsWith("backbone.")) continue;
            backbone++;
            assertArrayEquals(ckpt.get(e.getKey()).data(), e.getValue().data(), 0f, e.getKey() + " changed in linear mode");
            tunedMoved |= !java.util.Arrays.equals(ckpt.get(e.getKey()).data(), tuned.get(e.getKey()).data());
        }
        assertEquals(ckpt.keySet().stream().filter(k -> k.startsWith("backbone.")).count(), backbone);
        assertTrue(tunedMoved, "fine-tuning moves the backbone");
        Map<String, SafeTensors.Tensor> scratch = tensors(lin.resolve("best.safetensors"));
        assertTrue(scratch.containsKey("seg_head.weight"));
    }

    @Test
    void initIsReportedAndHeadWarmupKeepsTheBackboneThenTrainsIt(@TempDir Path tmp) {
        Map<String, SafeTensors.Tensor> ckpt = tensors(pretrain.resolve("checkpoints/last.safetensors"));
        Path warm = tmp.resolve("warm");
        // The command logs to System.err (progress and reports), which this test captures.
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        System.setErr(new java.io.PrintStream(captured, true));
        CliRunner.Run r;
        try {
            r = CliRunner.run(seg(data, warm, 4, "--init", pretrain.toString(), "--head-warmup", "4", "--lr", "1e-2", "--verbose"));
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, r.code(), r.err());
        String log = captured.toString();
        long backbone = ckpt.keySet().stream().filter(k -> k.startsWith("backbone.")).count();
        assertTrue(log.contains("pre-trained with cover, " + backbone + " backbone tensors loaded"), log);
        assertTrue(log.contains((ckpt.size() - backbone) + " other tensors skipped (proj.*, mov.*)"), log);
        assertTrue(log.contains("2 head tensors newly initialised (seg_head.*)"), log);
        assertTrue(log.contains("  newly initialised: seg_head.weight seg_head.bias"), log);
        Map<String, SafeTensors.Tensor> warmed = tensors(warm.resolve("last.safetensors"));
        ckpt.forEach((k, t) -> {
            if (k.startsWith("backbone.")) assertArrayEquals(t.data(), warmed.get(k).data(), 0f, k + " changed during the head-only warm-up");
        });
        Path after = tmp.resolve("after");
        r = CliRunner.run(seg(data, after, 4, "--init", pretrain.toString(), "--head-warmup", "2", "--lr", "1e-2"));
        assertEquals(0, r.code(), r.err());
        Map<String, SafeTensors.Tensor> tuned = tensors(after.resolve("last.safetensors"));
        String k = "backbone.up4.conv.double_conv.3.weight";
        assertFalse(java.util.Arrays.equals(ckpt.get(k).data(), tuned.get(k).data()), "the backbone trains after the warm-up");
        CliRunner.Run bad = CliRunner.run(seg(data, tmp.resolve("bad"), 2, "--clip", "0"));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--clip must be a finite number > 0, got 0.0"), bad.err());
        bad = CliRunner.run(seg(data, tmp.resolve("bad2"), 2, "--backbone-lr-scale", "NaN"));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--backbone-lr-scale"), bad.err());
    }

    @Test
    void referenceStateDictsInNpzLoadTheirBackbone(@TempDir Path tmp) throws Exception {
        // A DataParallel-style export: every key prefixed "module.", projection heads included (ignored).
        Map<String, SafeTensors.Tensor> ckpt = tensors(pretrain.resolve("checkpoints/last.safetensors"));
        Map<String, float[]> values = new java.util.LinkedHashMap<>();
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        ckpt.forEach((k, t) -> {
            values.put("module." + k, t.data());
            shapes.put("module." + k, t.shape());
        });
        Path npz = tmp.resolve("reference.npz");
        org.cover4j.io.Npz.writeFloat32(npz, values, shapes);
        Path out = tmp.resolve("m");
        CliRunner.Run r = CliRunner.run(seg(data, out, 2, "--init", npz.toString(), "--mode", "linear"));
        assertEquals(0, r.code(), r.err());
        Map<String, SafeTensors.Tensor> w = tensors(out.resolve("best.safetensors"));
        String k = "backbone.up4.conv.double_conv.3.weight";
        assertArrayEquals(ckpt.get(k).data(), w.get(k).data(), 0f);
    }

    @Test
    void labelFractionKeepsASeededSubsetOfTheTrainingCases(@TempDir Path tmp) throws Exception {
        CliRunner.Run r = CliRunner.run(seg(data, tmp.resolve("a"), 2, "--label-fraction", "0.5"));
        assertEquals(0, r.code(), r.err());
        Object described = ((Map<?, ?>) json(tmp.resolve("a/model.json")).get("provenance")).get("data");
        assertTrue(String.valueOf(described).startsWith("2 training cases from --train"), String.valueOf(described));
        CliRunner.Run again = CliRunner.run(seg(data, tmp.resolve("b"), 2, "--label-fraction", "0.5"));
        Object hashA = ((Map<?, ?>) json(tmp.resolve("a/model.json")).get("provenance")).get("data_listing_sha256");
        Object hashB = ((Map<?, ?>) json(tmp.resolve("b/model.json")).get("provenance")).get("data_listing_sha256");
        assertEquals(0, again.code());
        assertEquals(hashA, hashB, "same seed, same labelled subset");
    }

    @Test
    void earlyStoppingEndsARunThatStopsImproving(@TempDir Path tmp) throws Exception {
        // lr 1e-12: the weights barely move, so the validation Dice of step 2 does not beat step 1's.
        Path out = tmp.resolve("m");
        CliRunner.Run r = CliRunner.run(seg(data, out, 10, "--lr", "1e-12", "--val-every", "1", "--patience", "1"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("done: step 2 (stopped early)"), r.out());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "header + steps 1, 2");
        assertEquals(1, json(out.resolve("model.json")).get("best_step"));
        CliRunner.Run resumed = CliRunner.run(seg(data, out, 10, "--lr", "1e-12", "--val-every", "1", "--patience", "1", "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "a stopped run stays stopped");
    }

    @Test
    void resumeRefusesChangedTrainingCasesUnlessAllowed(@TempDir Path tmp) throws Exception {
        Path own = DownstreamFixtures.seg2d(tmp.resolve("seg"), 4, 1, 32);
        Path out = tmp.resolve("m");
        assertEquals(0, CliRunner.run(seg(own, out, 2)).code());
        Path img;
        try (var files = Files.list(own.resolve("train/images"))) {
            img = files.sorted().findFirst().orElseThrow();
        }
        Files.delete(img);
        Files.delete(own.resolve("train/labels").resolve(img.getFileName()));
        CliRunner.Run r = CliRunner.run(seg(own, out, 4, "--resume"));
        PretrainErrorsTest.assertOneLineError(r, 2, "--resume: the training cases of --train " + own.resolve("train"), "(3 now)",
                "--allow-data-change");
        r = CliRunner.run(seg(own, out, 4, "--resume", "--allow-data-change"));
        assertEquals(0, r.code(), r.err());
    }

    /**
     * {@code --restarts 3}: three runs with consecutive seeds, each in its own folder; the kept one is the run with the
     * best validation score read independently from each run's metrics.csv, its weights become OUT's, only it is
     * scored on the test set — with the score a single run of that seed gets — and a resumed finished set trains
     * nothing again.
     */
    @Test
    void restartsKeepTheRunWithTheBestValidationScore(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("m");
        String test = data.resolve("test").toString();
        CliRunner.Run r = CliRunner.run(seg(data, out, 6, "--seed", "5", "--restarts", "3", "--test", test));
        assertEquals(0, r.code(), r.err());
        Map<?, ?> summary = json(out.resolve("restarts.json"));
        Map<?, ?> runs = (Map<?, ?>) summary.get("runs");
        assertEquals(List.of("5", "6", "7"), List.copyOf(runs.keySet()));
        double best = Double.NEGATIVE_INFINITY;
        String bestSeed = null;
        java.util.Set<Double> scores = new java.util.HashSet<>();
        for (String seedName : List.of("5", "6", "7")) {
            Path dir = out.resolve("seed-" + seedName);
            double m = bestValidation(dir.resolve("metrics.csv"));
            scores.add(m);
            assertEquals(m, ((Number) ((Map<?, ?>) runs.get(seedName)).get("best_validation")).doubleValue(), 1e-6, seedName + " (metrics.csv keeps 6 digits)");
            if (m > best) {
                best = m;
                bestSeed = seedName;
            }
            assertFalse(Files.exists(dir.resolve("test/metrics.json")), "only the kept run is scored on the test set");
        }
        assertTrue(scores.size() > 1, "the seeds' validation scores differ (else the choice is not tested): " + scores);
        assertEquals(Long.parseLong(bestSeed), ((Number) summary.get("kept_seed")).longValue());
        assertArrayEquals(Files.readAllBytes(out.resolve("seed-" + bestSeed).resolve("best.safetensors")),
                Files.readAllBytes(out.resolve("best.safetensors")));
        assertTrue(r.out().contains("kept seed-" + bestSeed + " of 3 restarts"), r.out());

        Path single = tmp.resolve("single");
        assertEquals(0, CliRunner.run(seg(data, single, 6, "--seed", bestSeed, "--test", test)).code());
        assertEquals(((Number) json(single.resolve("test/metrics.json")).get("mean_dice")).doubleValue(),
                ((Number) json(out.resolve("test/metrics.json")).get("mean_dice")).doubleValue(), 1e-9, "the kept run is that seed's run");

        CliRunner.Run again = CliRunner.run(seg(data, out, 6, "--resume", "--test", test));
        assertEquals(0, again.code(), again.err());
        assertEquals(3, again.log().split("nothing to do", -1).length - 1, "every finished run left as it is: " + again.log());
        // A set stopped before its last run started (that run's folder gone) resumes from the folder alone: the missing
        // run takes the first run's saved settings, the test set comes from restarts.json, and the result is the same.
        byte[] keptWeights = Files.readAllBytes(out.resolve("best.safetensors"));
        deleteTree(out.resolve("seed-7"));
        CliRunner.Run resumed = CliRunner.run("finetune", "--task", "seg", "--out", out.toString(), "--resume", "--steps", "6", "--threads", "1");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(Files.exists(out.resolve("seed-7").resolve("best.safetensors")), "the missing run trained again");
        assertArrayEquals(keptWeights, Files.readAllBytes(out.resolve("best.safetensors")), "the same run kept, the same weights");
        assertTrue(resumed.out().contains("test: mean_dice"), "the kept run scored on the saved test set: " + resumed.out());

        CliRunner.Run other = CliRunner.run(seg(data, out, 6, "--resume", "--restarts", "2"));
        assertEquals(2, other.code());
        assertTrue(other.err().contains("--restarts 2 differs from the saved run's 3"), other.err());
        CliRunner.Run refused = CliRunner.run(seg(data, out, 6, "--restarts", "2"));
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("already holds"), refused.err());
        // A single run's folder is not taken over by a resumed set of restarts: its model stays as it was.
        byte[] singleWeights = Files.readAllBytes(single.resolve("best.safetensors"));
        CliRunner.Run takeover = CliRunner.run(seg(data, single, 6, "--resume", "--restarts", "2"));
        assertEquals(2, takeover.code());
        assertTrue(takeover.err().contains("holds a single fine-tuning run"), takeover.err());
        assertArrayEquals(singleWeights, Files.readAllBytes(single.resolve("best.safetensors")));
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** The best value of the val_mean_dice column of a metrics.csv. */
    private static double bestValidation(Path csv) throws java.io.IOException {
        List<String> rows = Files.readAllLines(csv);
        int col = List.of(rows.get(0).split(",")).indexOf("val_mean_dice");
        double best = Double.NEGATIVE_INFINITY;
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            if (!f[col].isEmpty()) best = Math.max(best, Double.parseDouble(f[col]));
        }
        return best;
    }

    @Test
    void resumedRunEqualsAnUninterruptedRun(@TempDir Path tmp) {
        Path full = tmp.resolve("full");
        assertEquals(0, CliRunner.run(seg(data, full, 4, "--seed", "3")).code());
        Path split = tmp.resolve("split");
        assertEquals(0, CliRunner.run(seg(data, split, 2, "--seed", "3")).code());
        CliRunner.Run r = CliRunner.run(seg(data, split, 4, "--seed", "3", "--resume"));
        assertEquals(0, r.code(), r.err());
        Map<String, SafeTensors.Tensor> a = tensors(full.resolve("last.safetensors"));
        Map<String, SafeTensors.Tensor> b = tensors(split.resolve("last.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), 0f, k + " differs after resume");
        CliRunner.Run changed = CliRunner.run(seg(data, split, 6, "--seed", "4", "--resume"));
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("--seed 4 differs from the saved run's 3"), changed.err());
    }

    @Test
    void classificationFromClassFolders(@TempDir Path tmp) throws Exception {
        Path cls = DownstreamFixtures.cls2d(tmp.resolve("cls"), 3, 32);
        Path out = tmp.resolve("m");
        CliRunner.Run r = CliRunner.run("finetune", "--task", "cls", "--train", cls.resolve("train").toString(), "--val",
                cls.resolve("val").toString(), "--test", cls.resolve("val").toString(), "--channels", TINY, "--patch", "32",
                "--batch", "4", "--steps", "4", "--val-every", "2", "--threads", "1", "--class-weights", "1,2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<?, ?> model = (Map<?, ?>) json(out.resolve("model.json")).get("model");
        assertEquals("cls", model.get("task"));
        assertEquals(List.of("bright", "dark"), model.get("class_names"));
        assertArrayEquals(new long[] {2, 128}, tensors(out.resolve("best.safetensors")).get("cls_head.weight").shape());
        Map<?, ?> test = json(out.resolve("test/metrics.json"));
        assertEquals(6, test.get("n"));
        assertTrue(test.containsKey("accuracy") && test.containsKey("auc"));
    }

    @Test
    void refusesToOverwriteAModelUnlessForced(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("m");
        assertEquals(0, CliRunner.run(seg(data, out, 2)).code());
        byte[] before = Files.readAllBytes(out.resolve("model.json"));
        CliRunner.Run again = CliRunner.run(seg(data, out, 2, "--seed", "9"));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a fine-tuned model"), again.err());
        assertArrayEquals(before, Files.readAllBytes(out.resolve("model.json")));
        assertEquals(0, CliRunner.run(seg(data, out, 2, "--seed", "9", "--force")).code());
    }

    @Test
    void labelsOutsideTheDeclaredClassesNameTheFile(@TempDir Path tmp) {
        Path out = tmp.resolve("m");
        CliRunner.Run r = CliRunner.run(seg(data, out, 2, "--classes", "3"));
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("labels") && r.err().contains("case_0") && r.err().contains("outside the declared classes 0..2"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(Files.exists(out.resolve("model.json")));
    }

    @Test
    void aClassWithoutExamplesIsRefused(@TempDir Path tmp) {
        CliRunner.Run r = CliRunner.run(seg(data, tmp.resolve("m"), 2, "--classes", "6"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("class 5 has no labelled voxel"), r.err());
    }

    @Test
    void labelOfAnotherShapeIsRefused(@TempDir Path tmp) throws Exception {
        Path bad = DownstreamFixtures.seg2d(tmp.resolve("bad"), 2, 1, 32);
        Path label = bad.resolve("train/labels/case_001.png");
        MedicalImages.write(label, new Image(new float[30 * 32], 1, new int[] {30, 32}, new double[] {1, 1}, null, "memory", "uint8"));
        CliRunner.Run r = CliRunner.run(seg(bad, tmp.resolve("m"), 2));
        assertEquals(3, r.code());
        assertTrue(r.err().contains(label.toString()) && r.err().contains("shape"), r.err());
    }

    @Test
    void checkpointsThatDoNotFitAreRefusedByName(@TempDir Path tmp) {
        // A 3D backbone for a 2D task.
        DownstreamNet net3d = new DownstreamNet(new ModelSpec(Task.SEG, 3, 1, org.cover4j.nn.BackboneSpec.unet(new int[] {8, 16, 32, 64, 128, 64, 32, 16, 8}), 2,
                ModelSpec.numberedClasses(2), "auto", new int[] {16, 16, 16}, false), null, new Rng(0));
        Path ckpt = tmp.resolve("three_d.safetensors");
        SafeTensors.write(ckpt, net3d.toArrays(), net3d.shapes(), null);
        CliRunner.Run r = CliRunner.run(seg(data, tmp.resolve("a"), 2, "--init", ckpt.toString(), "--dim", "2"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains(ckpt.toString()) && r.err().contains("a 3D checkpoint") && r.err().contains("2D task"), r.err());
        // Without --dim the checkpoint makes the task 3D, and the 2D images are refused by name.
        r = CliRunner.run(seg(data, tmp.resolve("b"), 2, "--init", ckpt.toString()));
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("case_000.png") && r.err().contains("the model is 3D"), r.err());
        // Other channel counts than the checkpoint's.
        r = CliRunner.run(seg(data, tmp.resolve("c"), 2, "--init", pretrain.toString(), "--channels", "16,32,64,128,256,128,64,32,16"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("differs from the checkpoint's 8,16,32,64,128,64,32,16,8"), r.err());
        // A file without a backbone.
        Path noBackbone = tmp.resolve("other.safetensors");
        java.util.LinkedHashMap<String, float[]> v = new java.util.LinkedHashMap<>();
        v.put("encoder.weight", new float[] {1f});
        SafeTensors.write(noBackbone, v, Map.of("encoder.weight", new long[] {1}), null);
        r = CliRunner.run(seg(data, tmp.resolve("d"), 2, "--init", noBackbone.toString()));
        assertEquals(3, r.code());
        assertTrue(r.err().contains(noBackbone.toString()) && r.err().contains("no backbone"), r.err());
    }

    @Test
    void missingOrEmptyDataIsRefusedByName(@TempDir Path tmp) throws Exception {
        CliRunner.Run r = CliRunner.run("finetune", "--task", "seg", "--train", tmp.resolve("nope").toString(), "--val",
                data.resolve("val").toString(), "--out", tmp.resolve("m").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--train " + tmp.resolve("nope")) && r.err().contains("no such file"), r.err());

        Path noLabels = tmp.resolve("nolabels");
        Files.createDirectories(noLabels.resolve("images"));
        r = CliRunner.run("finetune", "--task", "seg", "--train", noLabels.toString(), "--val", data.resolve("val").toString(),
                "--out", tmp.resolve("m").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("images/ and labels/"), r.err());

        Path emptyVal = tmp.resolve("val.csv");
        Files.writeString(emptyVal, "image,label\n");
        r = CliRunner.run("finetune", "--task", "seg", "--train", data.resolve("train").toString(), "--val", emptyVal.toString(),
                "--channels", TINY, "--out", tmp.resolve("m").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains(emptyVal.toString()), r.err());
        assertFalse(Files.exists(tmp.resolve("m/model.json")));
    }
    @Test
    void classificationRefusesASegmentationFolderAndNamesTheColumnsItNeeds(@TempDir Path tmp) throws Exception {
        // train/ has images/ and labels/: not two classes called "images" and "labels".
        CliRunner.Run r = CliRunner.run("finetune", "--task", "cls", "--train", data.resolve("train").toString(), "--val",
                data.resolve("val").toString(), "--channels", TINY, "--patch", "32", "--batch", "1", "--steps", "1",
                "--threads", "1", "--out", tmp.resolve("m").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--train " + data.resolve("train")) && r.err().contains("segmentation folder")
                && r.err().contains("--task seg"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("m")));

        // A classification CSV whose classes sit in a 'label' column (the segmentation column) instead of 'class'.
        Path img = Files.list(data.resolve("train/images")).sorted().findFirst().orElseThrow();
        Path csv = tmp.resolve("cls.csv");
        Files.writeString(csv, "image,label\n" + img + ",bright\n" + img + ",dark\n");
        r = CliRunner.run("finetune", "--task", "cls", "--train", csv.toString(), "--val", csv.toString(), "--channels", TINY,
                "--patch", "32", "--batch", "1", "--steps", "1", "--threads", "1", "--out", tmp.resolve("m").toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains(csv.toString()) && r.err().contains("image,class") && r.err().contains("found image,label")
                && !r.err().contains("not found"), r.err());
        // And the other way round: a segmentation CSV with a 'class' column.
        Files.writeString(csv, "image,class\n" + img + ",1\n");
        r = CliRunner.run("finetune", "--task", "seg", "--train", csv.toString(), "--val", csv.toString(), "--channels", TINY,
                "--patch", "32", "--batch", "1", "--steps", "1", "--threads", "1", "--out", tmp.resolve("m").toString());
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains(csv.toString()) && r.err().contains("image,label") && r.err().contains("found image,class"), r.err());
    }
}

package org.cover4j.data;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Presets and their layouts; file contents are never read here (samples load lazily). */
class PresetsTest {
    @TempDir
    Path dir;

    private void touch(String rel) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[0]);
    }

    @Test
    void theNineDataSetsAreThere() {
        assertEquals(List.of("ChestX-ray8", "PPMI", "CANDI", "FeTA21", "SCR", "KiPA22", "KiPA22-2D", "FIVES", "PDCXR",
                "STOIC"), Presets.names());
        assertEquals("FeTA21", Presets.get("feta21").name());
        assertEquals(3, Presets.get("CANDI").dim());
        assertEquals(Preset.Task.CLASSIFICATION, Presets.get("STOIC").task());
        assertEquals(0.25, Presets.get("SCR").labelFraction());
        for (Preset p : Presets.all()) {
            assertTrue(p.choices() != null && !p.choices().isEmpty(), p.name());
            assertTrue(p.task() == Preset.Task.PRETRAIN ? p.numClasses() == 0 : p.numClasses() >= 2, p.name());
        }
    }

    @Test
    void misspeltNamesGetASuggestion() {
        CoverException e = assertThrows(CoverException.class, () -> Presets.get("CANDY"));
        assertEquals(CoverException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("did you mean 'CANDI'"), e.getMessage());
        assertTrue(assertThrows(CoverException.class, () -> Presets.get("chestxray8")).getMessage()
                .contains("did you mean 'ChestX-ray8'"));
        CoverException far = assertThrows(CoverException.class, () -> Presets.get("imagenet-21k"));
        assertFalse(far.getMessage().contains("did you mean"), far.getMessage());
        assertTrue(far.getMessage().contains("PDCXR"), far.getMessage());
        assertEquals(3, Presets.editDistance("kitten", "sitting"));
    }

    @Test
    void markdownTableHasARowPerPreset() {
        String t = Presets.markdownTable();
        List<String> rows = t.lines().filter(l -> l.startsWith("| ")).toList();
        assertEquals(1 + Presets.names().size(), rows.size());
        for (String n : Presets.names()) assertTrue(t.contains("| " + n + " |"), n);
        assertTrue(t.contains("x/255"));
        int cols = rows.get(0).split("\\|", -1).length;
        for (String r : rows) assertEquals(cols, r.replace("\\|", "").split("\\|", -1).length, r);
    }

    @Test
    void classFoldersWithSplitFolders() throws IOException {
        for (String f : List.of("train/NORMAL/a.jpeg", "train/NORMAL/b.jpeg", "train/NORMAL/c.jpeg",
                "train/PNEUMONIA/d.jpeg", "train/PNEUMONIA/e.jpeg", "test/NORMAL/f.jpeg", "test/PNEUMONIA/g.jpeg")) {
            touch(f);
        }
        Preset p = Presets.get("PDCXR");
        List<Entry> e = PresetLoader.scan(p, dir);
        assertEquals(7, e.size());
        Entry d = e.stream().filter(x -> x.id().equals("train/PNEUMONIA/d")).findFirst().orElseThrow();
        assertEquals(1, d.classIndex());
        assertEquals(Split.TRAIN, d.split());
        PresetData data = p.open(dir);
        // no val folder: max(1, round(5 * 0.1)) = 1 of the 5 training images becomes validation
        assertEquals(4, data.train().size());
        assertEquals(1, data.val().size());
        assertEquals(2, data.test().size());
        assertEquals(data.val().id(0), p.open(dir).val().id(0)); // seeded
    }

    @Test
    void bidsLayoutAndSeededSplit() throws IOException {
        for (int s = 1; s <= 10; s++) {
            String sub = String.format("sub-%03d", s);
            touch(sub + "/anat/" + sub + "_rec-mial_T2w.nii.gz");
            touch(sub + "/anat/" + sub + "_rec-mial_dseg.nii.gz");
        }
        PresetData data = Presets.get("FeTA21").open(dir, 3);
        // the paper's 20/20/40 of 80 as fractions: round(10 * 20/80) = 3 val, round(10 * 40/80) = 5 test
        assertEquals(2, data.train().size());
        assertEquals(3, data.val().size());
        assertEquals(5, data.test().size());
        assertTrue(data.test().id(0).matches("sub-0\\d\\d_rec-mial"), data.test().id(0));
    }

    @Test
    void labelFractionReducesTraining() throws IOException {
        for (int i = 0; i < 20; i++) {
            touch("images/JPCLN" + i + ".png");
            touch("labels/JPCLN" + i + ".png");
        }
        PresetData data = Presets.get("SCR").open(dir);
        // the paper's 100/47/100 of 247: 20 -> val round(3.81) = 4, test round(8.10) = 8, train 8; 25 % of 8 = 2 labelled
        assertEquals(2, data.train().size());
        assertEquals(4, data.val().size());
        assertEquals(8, data.test().size());
    }

    @Test
    void classTableLayout() throws IOException {
        touch("data/mha/11.mha");
        touch("data/mha/12.mha");
        Path table = dir.resolve("metadata/reference.csv");
        Files.createDirectories(table.getParent());
        Files.writeString(table, "PatientID,probCOVID,probSevere\n11,1,0\n12,0,0\n");
        List<Entry> e = PresetLoader.scan(Presets.get("STOIC"), dir);
        assertEquals(List.of(1, 0), e.stream().map(Entry::classIndex).toList());
        assertEquals("11", e.get(0).id());
        Files.writeString(table, "PatientID,probCOVID,probSevere\n11,1,0\n13,0,0\n");
        CoverException missing = assertThrows(CoverException.class, () -> PresetLoader.scan(Presets.get("STOIC"), dir));
        assertTrue(missing.getMessage().contains("line 3") && missing.getMessage().contains("13.mha"), missing.getMessage());
        Files.writeString(table, "PatientID,probCOVID,probSevere\n11,0.5,0\n");
        assertTrue(assertThrows(CoverException.class, () -> PresetLoader.scan(Presets.get("STOIC"), dir)).getMessage()
                .contains("line 2"));
    }

    @Test
    void manifestReplacesTheLayout() throws IOException {
        touch("x/a.png");
        touch("x/b.png");
        Files.writeString(dir.resolve("manifest.csv"), "image,class,split\nx/a.png,1,train\nx/b.png,0,test\n");
        PresetData data = Presets.get("PDCXR").open(dir);
        assertEquals(1, data.train().size());
        assertEquals(0, data.val().size()); // one training item cannot give up a validation item
        assertEquals("b", data.test().id(0));
    }

    @Test
    void missingOrEmptyDataFolderExplainsTheLayout() throws IOException {
        CoverException missing = assertThrows(CoverException.class, () -> Presets.get("CANDI").open(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("CANDI") && missing.getMessage().contains("images/*"), missing.getMessage());
        touch("other/file.txt");
        CoverException empty = assertThrows(CoverException.class, () -> Presets.get("KiPA22").open(dir));
        assertTrue(empty.getMessage().contains("no files match") && empty.getMessage().contains("manifest.csv"),
                empty.getMessage());
    }

    /** On complete data sets the splits are the paper's counts (PROTOCOL.md, Table 1), SCR 25% included. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"CANDI, 103, 40, 20, 43", "FeTA21, 80, 20, 20, 40", "SCR, 247, 25, 47, 100",
            "KiPA22, 130, 70, 30, 30"})
    void completeDataSetsSplitAsThePaper(String preset, int n, int train, int val, int test) throws IOException {
        for (int i = 0; i < n; i++) {
            switch (preset) {
                case "CANDI" -> { touch("images/c" + i + ".nii.gz"); touch("labels/c" + i + ".nii.gz"); }
                case "FeTA21" -> {
                    String sub = String.format("sub-%03d", i);
                    touch(sub + "/anat/" + sub + "_T2w.nii.gz");
                    touch(sub + "/anat/" + sub + "_dseg.nii.gz");
                }
                case "SCR" -> { touch("images/J" + i + ".png"); touch("labels/J" + i + ".png"); }
                default -> { touch("case" + i + "/image/k" + i + ".nii.gz"); touch("case" + i + "/label/k" + i + ".nii.gz"); }
            }
        }
        PresetData data = Presets.get(preset).open(dir);
        assertEquals(train, data.train().size(), "train");
        assertEquals(val, data.val().size(), "val");
        assertEquals(test, data.test().size(), "test");
    }

    @Test
    void intensityScalingsAreThePapers() {
        assertEquals("clip(x, 0, 2048) to [0,1]", Presets.get("KiPA22").preprocess().normalization().describe());
        assertEquals("clip(x, 0, 2048) to [0,1]", Presets.get("STOIC").preprocess().normalization().describe());
        assertEquals("min-max to [0,1]", Presets.get("CANDI").preprocess().normalization().describe());
        assertEquals("min-max to [0,1]", Presets.get("PPMI").preprocess().normalization().describe());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {160, 160, 128}, Presets.get("CANDI").preprocess().size());
        for (String p : List.of("SCR", "FIVES", "PDCXR")) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {512, 512}, Presets.get(p).preprocess().size(), p);
            assertEquals("x/255", Presets.get(p).preprocess().normalization().describe(), p);
        }
    }
}

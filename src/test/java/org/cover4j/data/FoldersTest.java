package org.cover4j.data;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Listing, pairing and manifests: these never read image contents, so empty files stand in for images. */
class FoldersTest {
    @TempDir
    Path dir;

    private Path touch(String rel) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[0]);
        return p;
    }

    private Path write(String rel, String text) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void imageFolderIsSortedAndSkipsOtherFiles() throws IOException {
        touch("imgs/b.png");
        touch("imgs/a.nii.gz");
        touch("imgs/C.JPG");
        touch("imgs/notes.txt");
        touch("imgs/.hidden.png");
        touch("imgs/sub/d.png");
        FileDataset ds = ImageFolder.open(dir.resolve("imgs"));
        assertEquals(List.of("C", "a", "b"), List.of(ds.id(0), ds.id(1), ds.id(2)));
        FileDataset rec = ImageFolder.open(dir.resolve("imgs"), true);
        assertEquals(4, rec.size());
        assertEquals("sub/d", rec.id(3));
    }

    @Test
    void emptyFolderNamesFolderAndExtensions() throws IOException {
        touch("empty/readme.txt");
        CoverException e = assertThrows(CoverException.class, () -> ImageFolder.open(dir.resolve("empty")));
        assertTrue(e.getMessage().startsWith(dir.resolve("empty").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(".nii.gz") && e.getMessage().contains(".png"), e.getMessage());
        assertThrows(CoverException.class, () -> ImageFolder.open(dir.resolve("missing")));
    }

    @Test
    void analyzePairIsListedOnce() throws IOException {
        touch("pair/brain.hdr");
        touch("pair/brain.img");
        FileDataset ds = ImageFolder.open(dir.resolve("pair"));
        assertEquals(1, ds.size());
        assertEquals("brain", ds.id(0));
    }

    @Test
    void pairsByStemAcrossExtensions() throws IOException {
        touch("images/case01.nii.gz");
        touch("images/case02.nii");
        touch("labels/case02.nii.gz");
        touch("labels/case01.nii.gz");
        FileDataset ds = PairedFolder.open(dir.resolve("images"), dir.resolve("labels"));
        assertEquals(2, ds.size());
        assertEquals("case02", ds.entries().get(1).id());
        assertEquals(dir.resolve("labels/case02.nii.gz"), ds.entries().get(1).label());
    }

    @Test
    void pairsWithSuffixes() throws IOException {
        touch("feta/sub-001/anat/sub-001_rec-mial_T2w.nii.gz");
        touch("feta/sub-001/anat/sub-001_rec-mial_dseg.nii.gz");
        List<Path> imgs = Glob.list(dir.resolve("feta"), "sub-*/anat/*_T2w.nii.gz");
        List<Path> labs = Glob.list(dir.resolve("feta"), "sub-*/anat/*_dseg.nii.gz");
        List<Entry> e = PairedFolder.pair(imgs, labs, "_T2w", "_dseg", dir, dir);
        assertEquals(1, e.size());
        assertEquals("sub-001_rec-mial", e.get(0).id());
    }

    @Test
    void unmatchedFilesAreListed() throws IOException {
        touch("i/a.png");
        touch("i/b.png");
        touch("i/c.png");
        touch("l/a.png");
        CoverException e = assertThrows(CoverException.class, () -> PairedFolder.open(dir.resolve("i"), dir.resolve("l")));
        assertTrue(e.getMessage().contains("no label for 2 of 3 images") && e.getMessage().contains("b.png, c.png"),
                e.getMessage());
        touch("i2/a.png");
        touch("l2/a.png");
        touch("l2/z.png");
        CoverException e2 = assertThrows(CoverException.class, () -> PairedFolder.open(dir.resolve("i2"), dir.resolve("l2")));
        assertTrue(e2.getMessage().contains("no image for 1 of 2 labels") && e2.getMessage().contains("z.png"), e2.getMessage());
    }

    @Test
    void duplicateStemsAreRefused() throws IOException {
        touch("d/a.png");
        touch("d/a.jpg");
        touch("dl/a.png");
        CoverException e = assertThrows(CoverException.class, () -> PairedFolder.open(dir.resolve("d"), dir.resolve("dl")));
        assertTrue(e.getMessage().contains("same name stem 'a'"), e.getMessage());
    }

    @Test
    void manifestWithQuotesSplitsAndRelativePaths() throws IOException {
        touch("data/images/case 1.png");
        touch("data/labels/case1.png");
        touch("data/images/c2.png");
        touch("data/labels/c2.png");
        Path csv = write("data/list.csv", "\uFEFFimage,label,split\n"
                + "\"images/case 1.png\",labels/case1.png,train\n"
                + "\n"
                + "images/c2.png,\"labels/c2.png\",TEST\n");
        Manifest m = Manifest.read(csv);
        assertEquals(2, m.entries().size());
        Entry first = m.entries().get(0);
        assertEquals(dir.resolve("data/images/case 1.png").toAbsolutePath(), first.image());
        assertEquals("case 1", first.id());
        assertEquals(Split.TRAIN, first.split());
        assertEquals(Split.TEST, m.entries().get(1).split());
        assertEquals(1, m.dataset().split(Split.TEST).size());
    }

    @Test
    void manifestClassesByNameOrNumber() throws IOException {
        touch("m/x1.png");
        touch("m/x2.png");
        touch("m/x3.png");
        Manifest named = Manifest.read(write("m/named.csv", "image,class\nx1.png,PNEUMONIA\nx2.png,NORMAL\nx3.png,\n"));
        assertEquals(List.of("NORMAL", "PNEUMONIA"), named.classNames());
        assertEquals(1, named.entries().get(0).classIndex());
        assertEquals(0, named.entries().get(1).classIndex());
        assertEquals(Sample.NO_CLASS, named.entries().get(2).classIndex());
        Manifest numbered = Manifest.read(write("m/num.csv", "id,image,class\np1,x1.png,2\np2,x2.png,0\n"));
        assertEquals(List.of("0", "1", "2"), numbered.classNames());
        assertEquals(2, numbered.entries().get(0).classIndex());
        assertEquals("p2", numbered.entries().get(1).id());
    }

    @Test
    void badManifestRowsNameTheLine() throws IOException {
        touch("b/x.png");
        assertLineError(write("b/1.csv", "image,label\nx.png\n"), "line 2", "expected 2 fields");
        assertLineError(write("b/2.csv", "image,label\nx.png,x.png\n\nmissing.png,x.png\n"), "line 4", "file not found");
        assertLineError(write("b/3.csv", "image,split\nx.png,training\n"), "line 2", "train, val or test");
        assertLineError(write("b/4.csv", "image,lable\nx.png,x.png\n"), "line 1", "unknown column 'lable'");
        assertLineError(write("b/5.csv", "image\n\"x.png\n"), "line 2", "unterminated");
        assertLineError(write("b/6.csv", "image,label,class\n"), "line 1", "either a 'label' or a 'class'");
        CoverException e = assertThrows(CoverException.class, () -> Manifest.read(write("b/7.csv", "image\n")));
        assertTrue(e.getMessage().contains("no rows"), e.getMessage());
    }

    private static void assertLineError(Path csv, String line, String text) {
        CoverException e = assertThrows(CoverException.class, () -> Manifest.read(csv));
        assertTrue(e.getMessage().startsWith(csv.toString()) && e.getMessage().contains(line)
                && e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void globPatterns() {
        assertTrue(Glob.matches("**/*.png", "a.png"));
        assertTrue(Glob.matches("**/*.png", "x/y/a.PNG"));
        assertFalse(Glob.matches("*.png", "x/a.png"));
        assertTrue(Glob.matches("{train,test}/Ground truth/*.png", "test/Ground truth/1_A.png"));
        assertTrue(Glob.matches("images/*.{nii,nii.gz}", "images/a.nii.gz"));
        assertFalse(Glob.matches("images/*.{nii,nii.gz}", "images/a.nii.gz.bak"));
        assertTrue(Glob.matches("img?.png", "img1.png"));
        assertFalse(Glob.matches("a.png", "a_png")); // '.' is literal
    }
}

package org.cover4j.io;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dispatcher: content decides the reader, the extension decides the writer. */
class MedicalImagesTest {
    @TempDir
    Path dir;

    private final Image vol = NiftiRoundTripTest.volume(new int[]{4, 3, 2}, NiftiRoundTripTest.obliqueAffine(false),
            "int16", -500, 500, true, 41);

    @Test
    void contentNotExtensionChoosesTheReader() throws IOException {
        MedicalImages.write(dir.resolve("a.nii.gz"), vol);
        MedicalImages.write(dir.resolve("b.mha"), vol);
        Image slice = NiftiRoundTripTest.volume(new int[]{5, 6}, Image.scaledIdentity(new double[]{1, 1}), "uint8", 0, 255, true, 43);
        MedicalImages.write(dir.resolve("c.png"), slice);
        // Misleading names: each must still be read by its content.
        Files.copy(dir.resolve("a.nii.gz"), dir.resolve("a.png"));
        Files.copy(dir.resolve("b.mha"), dir.resolve("b.nii"));
        Files.copy(dir.resolve("c.png"), dir.resolve("c.mha"));
        assertEquals("nifti1", MedicalImages.read(dir.resolve("a.png")).format());
        assertEquals("metaimage", MedicalImages.read(dir.resolve("b.nii")).format());
        assertEquals("png", MedicalImages.read(dir.resolve("c.mha")).format());
        assertArrayEquals(vol.data(), MedicalImages.read(dir.resolve("a.png")).data());
        assertArrayEquals(vol.data(), MedicalImages.read(dir.resolve("b.nii")).data());
        assertArrayEquals(slice.data(), MedicalImages.read(dir.resolve("c.mha")).data());
        assertEquals("nifti", MedicalImages.detectFormat(dir.resolve("a.png")));
        assertEquals("raster", MedicalImages.detectFormat(dir.resolve("c.mha")));
    }

    @Test
    void writeByExtensionKeepsGeometry() {
        for (String name : new String[]{"v.nii", "v.nii.gz", "v.mha", "v.mhd"}) {
            Path f = dir.resolve(name);
            MedicalImages.write(f, vol);
            Image back = MedicalImages.read(f);
            assertArrayEquals(vol.shape(), back.shape(), name);
            assertArrayEquals(vol.data(), back.data(), name);
            assertEquals("int16", back.datatype(), name);
            NiftiReaderTest.assertAffine(vol.affine(), back.affine(), 1e-4);
        }
        CoverException e = assertThrows(CoverException.class, () -> MedicalImages.write(dir.resolve("v.jpg"), vol));
        assertTrue(e.getMessage().contains("v.jpg"), e.getMessage());
        CoverException png3d = assertThrows(CoverException.class, () -> MedicalImages.write(dir.resolve("v.png"), vol));
        assertTrue(png3d.getMessage().contains("v.png"), png3d.getMessage());
        Image fractional = Image.of(new float[]{0.5f, 1, 2, 3}, 2, 2);
        assertThrows(CoverException.class, () -> MedicalImages.write(dir.resolve("f.png"), fractional));
        assertFalse(Files.exists(dir.resolve("f.png")));
    }

    @Test
    void supportedNamesForFolderListings() {
        for (String ok : new String[]{"a.nii", "A.NII.GZ", "b.mha", "b.mhd", "c.png", "d.JPG", "d.jpeg", "e.tif", "e.TIFF",
                "f.bmp", "g.gif", "h.dcm", "JPCLN001.IMG", "pair.hdr"}) {
            assertTrue(MedicalImages.isSupportedImageName(ok), ok);
        }
        for (String no : new String[]{"b.raw", "notes.txt", "model.safetensors", "x.nii.tmp", ".a.nii.123.tmp", ".hidden.png", "archive.gz"}) {
            assertFalse(MedicalImages.isSupportedImageName(no), no);
        }
    }

    @Test
    void dicomFilesAndFoldersGoToTheDicomReader() throws IOException {
        // "DICM" at offset 128 routes a file to the DICOM reader even when it is named .png; a folder too.
        byte[] fake = new byte[256];
        fake[128] = 'D';
        fake[129] = 'I';
        fake[130] = 'C';
        fake[131] = 'M';
        Path f = dir.resolve("fake.png");
        Files.write(f, fake);
        assertEquals("dicom", MedicalImages.detectFormat(f));
        assertEquals("dicom", MedicalImages.detectFormat(dir));
    }
}

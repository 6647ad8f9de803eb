package org.cover4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cover4j.io.Image;
import org.cover4j.io.MedicalImages;
import org.cover4j.io.SafeTensors;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {
    @TempDir
    Path dir;

    /** Runs {@code info ARGS} and returns what it printed; exceptions propagate (the lead's Main prints them). */
    private static String run(String... args) {
        InfoCommand cmd = new InfoCommand();
        CommandLine cl = new CommandLine(cmd);
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.parseArgs(args);
        assertEquals(0, cmd.call());
        return out.toString();
    }

    /** A (3,2,2) int16 volume, voxel size (2,3,4), x flipped: affine diag(-2,3,4) -> orientation LAS. */
    private Path volume() {
        float[] v = new float[12];
        for (int i = 0; i < 12; i++) v[i] = i * 10 - 30; // -30..80: sum 300, mean 25
        double[][] affine = {{-2, 0, 0, 10}, {0, 3, 0, -20}, {0, 0, 4, 5}, {0, 0, 0, 1}};
        Image img = new Image(v, 1, new int[]{3, 2, 2}, new double[]{2, 3, 4}, affine, "memory", "int16");
        Path f = dir.resolve("vol.nii.gz");
        MedicalImages.write(f, img);
        return f;
    }

    @Test
    void jsonLineHasTheDocumentedFields() throws Exception {
        Path f = volume();
        String out = run("--json", f.toString());
        String[] lines = out.strip().split("\n");
        assertEquals(1, lines.length);
        JsonNode o = new ObjectMapper().readTree(lines[0]);
        assertEquals(f.toString(), o.get("file").asText());
        assertEquals("nifti1", o.get("format").asText());
        assertEquals("int16", o.get("datatype").asText());
        assertEquals("[3,2,2]", o.get("shape").toString());
        assertEquals("[2.0,3.0,4.0]", o.get("spacing").toString());
        assertEquals("LAS", o.get("orientation").asText());
        assertEquals("[[-2.0,0.0,0.0,10.0],[0.0,3.0,0.0,-20.0],[0.0,0.0,4.0,5.0],[0.0,0.0,0.0,1.0]]", o.get("affine").toString());
        assertEquals(-30, o.get("min").asDouble());
        assertEquals(80, o.get("max").asDouble());
        assertEquals(25, o.get("mean").asDouble());
        assertEquals(300, o.get("sum").asDouble());
    }

    @Test
    void textOutputAndSeveralFiles() {
        Path f = volume();
        String out = run(f.toString(), f.toString());
        assertTrue(out.contains("orientation  LAS"), out);
        assertTrue(out.contains("shape        3 x 2 x 2"), out);
        assertTrue(out.contains("min -30  max 80  mean 25"), out);
        assertEquals(2, out.split("format ").length - 1, out);
    }

    @Test
    void safetensorsFilesListTheirTensors() throws Exception {
        LinkedHashMap<String, float[]> data = new LinkedHashMap<>();
        data.put("w", new float[6]);
        data.put("b", new float[2]);
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, data, Map.of("w", new long[]{2, 3}, "b", new long[]{2}), Map.of("step", "5"));
        JsonNode o = new ObjectMapper().readTree(run("--json", f.toString()).strip());
        assertEquals("safetensors", o.get("format").asText());
        assertEquals("w", o.get("tensors").get(0).get("name").asText());
        assertEquals("[2,3]", o.get("tensors").get(0).get("shape").toString());
        assertEquals("F32", o.get("tensors").get(1).get("dtype").asText());
        assertEquals("5", o.get("metadata").get("step").asText());
        String text = run(f.toString());
        assertTrue(text.contains("w  F32  [2,3]") && text.contains("step = 5"), text);
    }

    @Test
    void everyFileIsReportedAndBadOnesMakeTheExitStatusNonZero() throws Exception {
        Path good = volume();
        Path missing = dir.resolve("nope.nii");
        Path text = dir.resolve("notes.nii");
        java.nio.file.Files.writeString(text, "not an image");
        CliRunner.Run r = CliRunner.run("info", missing.toString(), good.toString(), text.toString(), good.toString());
        assertEquals(CoverException.BAD_DATA, r.code(), r.err());
        assertEquals(2, r.out().split("format ").length - 1, "both good files described: " + r.out());
        java.util.List<String> errors = r.err().lines().toList();
        assertEquals(2, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("cover4j: " + missing), errors.get(0));
        assertTrue(errors.get(1).startsWith("cover4j: " + text), errors.get(1));
        assertEquals(0, CliRunner.run("info", good.toString()).code());
    }
    @Test
    void aZeroVoxelSizeIsReportedNamingTheFileAndAxis() throws Exception {
        // Written with sizes (2,3,4), then pixdim[1] set to 0 and qform/sform codes to 0 (NIfTI-1 offsets 80, 252, 254).
        Path f = dir.resolve("unsized.nii");
        MedicalImages.write(f, new Image(new float[12], 1, new int[]{3, 2, 2}, new double[]{2, 3, 4}, null, "memory", "float32"));
        byte[] b = java.nio.file.Files.readAllBytes(f);
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(80, 0f).putShort(252, (short) 0).putShort(254, (short) 0);
        java.nio.file.Files.write(f, b);
        CliRunner.Run r = CliRunner.run("info", f.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("cover4j: warning: " + f + ": voxel size (pixdim) is 0 along axis 0; 1 mm assumed there, as nibabel does",
                r.err().strip());
        assertTrue(r.out().contains("spacing      1 x 3 x 4"), r.out());
        // nibabel's base affine with zooms (1, 3, 4): x flipped, not a zero column.
        assertTrue(r.out().contains("affine          -1.0000     0.0000     0.0000     1.0000"), r.out());
    }
}

package org.cover4j.cli;

import org.cover4j.io.NibabelPython;
import org.cover4j.io.SafeTensors;
import org.cover4j.testing.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weights interoperate with the reference: {@code --init} takes the reference model's state dict (the fixture's
 * {@code cover2d_small_params.npz}, which holds {@code model.state_dict()}), and the checkpoint we write is read by an
 * independent reader (Python, json + numpy, following the safetensors specification) with exactly the reference's
 * key set and shapes — what {@code load_state_dict(strict=True)} checks.
 */
class CheckpointInteropTest {
    @Test
    void referenceStateDictInitialisesAndOurCheckpointHasItsKeysAndShapes(@TempDir Path tmp) throws Exception {
        Fixtures.load("cover2d_small_params.npz");
        Path ref = Fixtures.dir().resolve("cover2d_small_params.npz").toAbsolutePath();
        Path out = tmp.resolve("run");
        CliRunner.Run r = CliRunner.run(PretrainErrorsTest.concat(new String[] {"pretrain", "--out", out.toString(), "--steps", "1",
                "--init", ref.toString(), "--lr", "1e-12"}, CliRunner.tiny()));
        assertEquals(0, r.code(), r.err());
        Path weights = out.resolve("checkpoints/last.safetensors");
        assertTrue(Files.exists(weights));

        // `info` shows the checkpoint's record with its provenance, as text and as JSON.
        Path json = out.resolve("checkpoints/last.json");
        CliRunner.Run info = CliRunner.run("info", json.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("data_listing_sha256") && info.out().contains("pretrain"), info.out());
        CliRunner.Run infoJson = CliRunner.run("info", "--json", json.toString());
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(infoJson.out());
        assertEquals(1, node.get("step").asInt());
        assertTrue(node.get("settings").get("data").isNull(), "phantom data has no folder");
        assertEquals(64, node.get("provenance").get("data_listing_sha256").asText().length());
        assertEquals(2, CliRunner.run("info", "--bogus").code());
        Path notCheckpoint = Files.writeString(tmp.resolve("other.json"), "{\"a\": 1}");
        assertEquals(3, CliRunner.run("info", notCheckpoint.toString()).code());

        // With a negligible learning rate the saved weights are the reference's (checks --init really loaded them).
        var refArrays = org.cover4j.io.Npz.read(ref);
        SafeTensors.Contents ours = SafeTensors.read(weights);
        assertEquals(refArrays.keySet(), ours.tensors().keySet(), "same state_dict keys");
        for (String k : refArrays.keySet()) {
            float[] a = refArrays.get(k).floats();
            float[] b = ours.tensors().get(k).data();
            double diff = 0;
            for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
            assertTrue(diff < 1e-6, k + " moved by " + diff);
        }

        String script = String.join("\n",
                "import json, struct, numpy as np",
                "f = open('" + weights + "', 'rb'); n = struct.unpack('<Q', f.read(8))[0]; h = json.loads(f.read(n)); body = f.read()",
                "ref = np.load('" + ref + "')",
                "keys = sorted(k for k in h if k != '__metadata__')",
                "assert keys == sorted(ref.files), (set(keys) ^ set(ref.files))",
                "total = 0.0",
                "for k in keys:",
                "    e = h[k]; assert e['dtype'] == 'F32', e",
                "    a, b = e['data_offsets']; t = np.frombuffer(body[a:b], '<f4').reshape(e['shape'])",
                "    assert tuple(e['shape']) == ref[k].shape, (k, e['shape'], ref[k].shape)",
                "    total += float(np.abs(t.astype(np.float64)).sum())",
                "print('%d %.6f' % (len(keys), total))");
        Optional<String> py = NibabelPython.run(script);
        Assumptions.assumeTrue(py.isPresent(), "python3 with numpy not available");
        String[] parts = py.get().trim().split(" ");
        double javaTotal = 0;
        for (SafeTensors.Tensor t : ours.tensors().values()) for (float v : t.data()) javaTotal += Math.abs(v);
        assertEquals(refArrays.size(), Integer.parseInt(parts[0]));
        assertEquals(javaTotal, Double.parseDouble(parts[1]), 1e-6 * javaTotal, String.format(Locale.ROOT, "sum of |w| seen by Python"));
    }
}

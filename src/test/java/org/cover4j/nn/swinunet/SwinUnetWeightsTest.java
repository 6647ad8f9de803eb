package org.cover4j.nn.swinunet;

import org.cover4j.io.Npz;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.Params;
import org.cover4j.torch.StepScope;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Official checkpoints: the wrapper prefixes {@code swin_unet.} / {@code module.swin_unet.} are removed, the official
 * head is skipped by a model without one, and a missing key, an unexpected key, a wrong shape or a changed fixed buffer
 * is refused in one line that names it.
 */
class SwinUnetWeightsTest {
    @TempDir
    Path dir;

    @Test
    void loadsTheWrappersKeysIntoAModelWithOrWithoutTheHead() throws IOException {
        try (StepScope s = StepScope.open()) {
            Params source = SwinFixtures.cpuParams();
            SwinUnet.withOfficialHead(source, "", tiny(), 1, 2, new Rng(1));
            Path file = write("module.swin_unet.", source, m -> { });

            Params withHead = SwinFixtures.cpuParams();
            SwinUnet.withOfficialHead(withHead, "backbone.", tiny(), 1, 2, new Rng(2)).importOfficial(StateDicts.read(file));
            Map<String, float[]> want = source.toArrays();
            Map<String, float[]> got = withHead.toArrays();
            for (String k : source.names()) assertArrayEquals(want.get(k), got.get("backbone." + k), 0f, k);

            Params backbone = SwinFixtures.cpuParams();
            new SwinUnet(backbone, "backbone.", tiny(), 1, new Rng(3)).importOfficial(StateDicts.read(write("swin_unet.", source, m -> { })));
            assertEquals(source.names().size() - 1, backbone.names().size(), "all but output.weight");
            Map<String, float[]> loaded = backbone.toArrays();
            for (String k : backbone.names()) assertArrayEquals(got.get(k), loaded.get(k), 0f, k);
        }
    }

    @Test
    void refusesMissingUnexpectedAndMisshapenTensorsNamingThem() throws IOException {
        try (StepScope s = StepScope.open()) {
            Params source = SwinFixtures.cpuParams();
            new SwinUnet(source, "", tiny(), 1, new Rng(1));
            assertEquals("(1 missing: layers.0.blocks.0.norm1.bias)",
                    refusal(source, m -> m.remove("swin_unet.layers.0.blocks.0.norm1.bias")).replaceFirst("^.*\\(", "("));
            assertEquals("(1 unexpected: extra.weight)",
                    refusal(source, m -> m.put("swin_unet.extra.weight", new float[1])).replaceFirst("^.*\\(", "("));

            String shape = refusal(source, m -> m.put("swin_unet.patch_embed.proj.weight", new float[16 * 3 * 16]));
            assertTrue(shape.contains("patch_embed.proj.weight has shape [16, 3, 4, 4], expected [16, 1, 4, 4]"), shape);
            assertTrue(shape.contains("takes 3 input channels: build the config with that in_chans"), shape);
        }
    }

    @Test
    void refusesFixedBuffersThatDifferFromTheArchitecture() throws IOException {
        try (StepScope s = StepScope.open()) {
            Params source = SwinFixtures.cpuParams();
            new SwinUnet(source, "", tiny(), 1, new Rng(1));
            String mask = refusal(source, m -> m.get("swin_unet.layers_up.2.blocks.1.attn_mask")[5] = 0.5f);
            assertTrue(mask.contains(": layers_up.2.blocks.1.attn_mask differs from the values the architecture fixes (window 4, shift 2 on a 8×8 grid)"), mask);
            String index = refusal(source, m -> m.get("swin_unet.layers.3.blocks.0.attn.relative_position_index")[0] = 99);
            assertTrue(index.contains(": layers.3.blocks.0.attn.relative_position_index differs"), index);
        }
    }

    /** The one-line message of loading {@code params}' tensors, changed by {@code change}, into a fresh model. */
    private String refusal(Params params, Consumer<Map<String, float[]>> change) throws IOException {
        Path file = write("swin_unet.", params, change);
        SwinUnet fresh = new SwinUnet(SwinFixtures.cpuParams(), "", tiny(), 1, new Rng(9));
        CoverException e = assertThrows(CoverException.class, () -> fresh.importOfficial(StateDicts.read(file)));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    private Path write(String prefix, Params params, Consumer<Map<String, float[]>> change) throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        params.toArrays().forEach((k, v) -> {
            values.put(prefix + k, v);
            shapes.put(prefix + k, params.shape(k));
        });
        change.accept(values);
        for (String k : values.keySet()) {
            if (!shapes.containsKey(k) || values.get(k).length != count(shapes.get(k))) shapes.put(k, guessShape(k, values.get(k).length));
        }
        shapes.keySet().retainAll(values.keySet());
        Path file = dir.resolve("sd" + values.hashCode() + ".npz");
        Npz.writeFloat32(file, values, shapes);
        return file;
    }

    /** The shape a test gives a changed tensor: the patch embedding with 3 input channels, else a vector. */
    private static long[] guessShape(String key, int n) {
        return key.endsWith("patch_embed.proj.weight") ? new long[] {16, 3, 4, 4} : new long[] {n};
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    private static SwinUnetConfig tiny() {
        return SwinUnetConfig.tiny(SwinFixtures.SIZE);
    }
}

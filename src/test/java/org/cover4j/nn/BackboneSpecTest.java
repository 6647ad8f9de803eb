package org.cover4j.nn;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackboneSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyRegisteredBackboneRoundTripsThroughJson() throws Exception {
        for (Backbones.Kind k : Backbones.all()) {
            BackboneSpec spec = k.isUnet() ? BackboneSpec.unet(new int[] {8, 16, 32, 64, 128, 64, 32, 16, 8}) : new BackboneSpec(k.name(), null, "tiny", null);
            BackboneSpec back = JSON.readValue(JSON.writeValueAsString(spec), BackboneSpec.class);
            assertEquals(spec, back, k.name());
        }
    }

    @Test
    void checkpointsWrittenBeforeOtherBackbonesStillRead() throws Exception {
        // Format 3 checkpoints recorded {"name":"unet","channels":[...]}.
        BackboneSpec old = JSON.readValue("{\"name\":\"unet\",\"channels\":[8,16,32,64,128,64,32,16,8]}", BackboneSpec.class);
        assertEquals(BackboneSpec.UNET, old.name());
        assertArrayEquals(new int[] {8, 16, 32, 64, 128, 64, 32, 16, 8}, old.channels());
        assertTrue(old.options().isEmpty());
    }

    @Test
    void badSpecsAreRefusedInOneLineNamingTheOption() {
        String unknown = assertThrows(CoverException.class, () -> new BackboneSpec("resnet", null, null, null)).getMessage();
        assertTrue(unknown.contains("--backbone resnet is not a backbone") && unknown.contains("unet"), unknown);
        String option = assertThrows(CoverException.class, () -> new BackboneSpec("unet", null, null, Map.of("window", "7"))).getMessage();
        assertTrue(option.contains("--window is not an option of --backbone unet"), option);
        String channels = assertThrows(CoverException.class, () -> BackboneSpec.unet(new int[] {8, 16})).getMessage();
        assertTrue(channels.contains("--channels needs 9"), channels);
        for (Backbones.Kind k : Backbones.all()) {
            if (k.isUnet()) continue;
            String size = assertThrows(CoverException.class, () -> new BackboneSpec(k.name(), null, "huge", null)).getMessage();
            assertTrue(size.contains("--backbone-size must be one of tiny, small, base"), size);
            String unetChannels = assertThrows(CoverException.class, () -> new BackboneSpec(k.name(), new int[9], null, null)).getMessage();
            assertTrue(unetChannels.contains("--channels sets the U-Net's channels"), unetChannels);
            String in3d = assertThrows(CoverException.class, () -> new BackboneSpec(k.name(), null, null, null).checkInput(3, new int[] {64, 64, 64}, "--size"))
                    .getMessage();
            assertTrue(in3d.contains("is a 2D network"), in3d);
        }
    }

    @Test
    void theUNetNamesTheNearestValidSizes() {
        String m = assertThrows(CoverException.class, () -> BackboneSpec.unet(null).checkInput(2, new int[] {100, 96}, "--patch")).getMessage();
        assertTrue(m.startsWith("--patch 100 does not suit the U-Net") && m.contains("nearest valid sizes 96 or 112"), m);
        BackboneSpec.unet(null).checkInput(3, new int[] {16, 32, 48}, "--patch");
    }

    @Test
    void nearestMultiplesAreTheOnesEitherSide() {
        assertEquals("96 or 112", Backbones.nearestMultiples(100, 16));
        assertEquals("16", Backbones.nearestMultiples(16, 16));
        assertEquals("16 or 32", Backbones.nearestMultiples(20, 16));
        assertEquals("16", Backbones.nearestMultiples(5, 16).split(" ")[0]);
        assertEquals("224 or 256", Backbones.nearestMultiples(240, 32));
    }
}

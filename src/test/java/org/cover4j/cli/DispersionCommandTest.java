package org.cover4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cover4j.downstream.DownstreamNet;
import org.cover4j.io.SafeTensors;
import org.cover4j.nn.Params;
import org.cover4j.pretrain.cover.CoverConfig;
import org.cover4j.report.Figures;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DispersionCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRunner.Run dispersion(String... more) {
        return CliRunner.run(DownstreamFixtures.concat(new String[] {"analyze", "dispersion", "--size", "32", "--max-images", "2",
                "--threads", "1", "--json"}, more));
    }

    @Test
    void randomBackboneOnPhantomsGivesSaneReproducibleNumbers() throws Exception {
        Path out = dir.resolve("out");
        CliRunner.Run r = dispersion("--model", "none", "--seed", "1", "--level", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode o = JSON.readTree(r.out().strip());
        assertEquals("[16,16]", o.get("grid").toString());
        assertEquals(2 * 16 * 16, o.get("pixels").asLong());
        double mean = o.get("mean").asDouble();
        double median = o.get("median").asDouble();
        double p95 = o.get("p95").asDouble();
        for (double v : new double[] {mean, median, p95}) assertTrue(v > 0 && v <= 1, o.toString());
        assertTrue(median <= p95 && mean <= p95, o.toString());
        long counted = 0;
        for (JsonNode c : o.get("histogram").get("counts")) counted += c.asLong();
        assertEquals(o.get("pixels").asLong(), counted, "every value in [0, 1] falls in a bin");

        assertEquals(r.out(), dispersion("--model", "none", "--seed", "1", "--level", "1").out(), "same seed, same numbers");
        assertNotEquals(mean, JSON.readTree(dispersion("--model", "none", "--seed", "2", "--level", "1").out()).get("mean").asDouble());

        JsonNode file = JSON.readTree(out.resolve("dispersion.json").toFile());
        assertEquals(mean, file.get("models").get(0).get("mean").asDouble());
        assertEquals(800, Figures.readPng(out.resolve("dispersion_histogram.png")).getWidth());
    }

    @Test
    void checkpointOfTheInitialWeightsMatchesNone() throws Exception {
        // The backbone a COVER run with seed 5 starts from, saved as a state dict: loading it must give exactly the
        // numbers of '--model none --seed 5' (the checkpoint path reads, sizes and loads the weights correctly).
        Params p = new Params(null);
        DownstreamNet.initialBackbone(p, org.cover4j.nn.BackboneSpec.unet(CoverConfig.DEFAULT_CHANNELS), 2, 1, null, new Rng(5));
        Path weights = dir.resolve("init.safetensors");
        SafeTensors.write(weights, p.toArrays(), p.shapes(), Map.of());
        CliRunner.Run r = dispersion("--model", weights.toString(), "--model", "none", "--seed", "5", "--level", "0", "--radius", "2");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length);
        JsonNode fromFile = JSON.readTree(lines[0]);
        JsonNode random = JSON.readTree(lines[1]);
        assertEquals(weights.toString(), fromFile.get("model").asText());
        for (String k : new String[] {"pixels", "mean", "median", "p95", "histogram"}) assertEquals(random.get(k), fromFile.get(k), k);
    }

    @Test
    void badInputIsOneLineWithItsExitStatus() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Object[][] cases = {
                {new String[] {"--model", "none", "--level", "5"}, 2, "--level 5"},
                {new String[] {"--model", "none", "--radius", "0"}, 2, "--radius 0"},
                {new String[] {"--model", dir.resolve("missing.safetensors").toString()}, 2, "--model"},
                {new String[] {"--model", "none", "--data", empty.toString()}, 3, "no images found"},
                {new String[] {}, 2, "--model"},
        };
        for (Object[] c : cases) {
            CliRunner.Run r = dispersion((String[]) c[0]);
            assertEquals(c[1], r.code(), r.err());
            assertTrue(r.err().contains((String) c[2]), r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
        }
    }
}

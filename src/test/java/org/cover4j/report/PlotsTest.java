package org.cover4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    @TempDir
    Path dir;

    private static int count(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) n++;
        return n;
    }

    @Test
    void lineChartFromCsvIsAPngOfTheRequestedSize() throws Exception {
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, "step,loss_vec,loss_con\n0,2.0,0.5\n10,1.2,\n20,0.8,0.3\n30,0.5,0.2\nbad,1,1\n");
        List<Plots.Series> s = Plots.seriesFromCsv(csv, "step", "loss_vec", "loss_con");
        assertEquals("loss_vec", s.get(0).name());
        assertArrayEquals(new double[] {0, 10, 20, 30}, s.get(0).x());
        assertArrayEquals(new double[] {0, 20, 30}, s.get(1).x()); // the empty cell is skipped
        assertArrayEquals(new double[] {0.5, 0.3, 0.2}, s.get(1).y());

        Path png = dir.resolve("plots/loss.png");
        Plots.writeLineChart(png, "Training loss", "step", "loss", s, 640, 400, true);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(PNG_SIGNATURE, head);
        BufferedImage img = Figures.readPng(png);
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        // Both series are drawn in their palette colours (thick antialiased lines have solid cores).
        assertTrue(count(img, 0x1F77B4) > 50);
        assertTrue(count(img, 0xFF7F0E) > 50);
    }

    @Test
    void barChartWithErrorBars() {
        BufferedImage img = Plots.barChart("Dice by method", "Dice", List.of("COVER", "scratch", "MAE"),
                new double[] {0.82, 0.74, 0.79}, new double[] {0.05, 0.08, Double.NaN}, 500, 320);
        assertEquals(500, img.getWidth());
        assertEquals(320, img.getHeight());
        for (int i = 0; i < 3; i++) assertTrue(count(img, Palette.series(i).getRGB() & 0xFFFFFF) > 500, "bar " + i);
    }

    @Test
    void niceAxes() {
        assertEquals(0.2, PlotAxis.niceStep(0.23), 1e-15);
        assertEquals(0.5, PlotAxis.niceStep(0.7), 1e-15);
        assertEquals(5.0, PlotAxis.niceStep(3.3), 1e-15);
        PlotAxis a = PlotAxis.linear(0.13, 0.87, true);
        assertEquals(0.1, a.lo, 1e-12);
        assertEquals(0.9, a.hi, 1e-12);
        assertEquals(9, a.ticks().length);
        assertEquals("0.3", a.label(a.ticks()[2]));
        PlotAxis l = PlotAxis.log10(0.02, 3);
        assertEquals(0.01, l.lo, 1e-15);
        assertEquals(10, l.hi, 1e-12);
        assertEquals(1.0 / 3, l.fraction(0.1), 1e-12); // three decades, 0.1 one decade up
        assertEquals(0.5, l.fraction(Math.sqrt(0.1)), 1e-12);
    }

    @Test
    void badRequestsAreRefused() {
        assertThrows(CoverException.class, () -> Plots.lineChart("t", "x", "y", List.of(), 10, 10, false));
        assertThrows(CoverException.class, () -> Plots.seriesFromCsv(writeCsv(), "step", "nope"));
    }

    private Path writeCsv() throws Exception {
        Path p = dir.resolve("m.csv");
        Files.writeString(p, "step,loss\n1,2\n");
        return p;
    }
}

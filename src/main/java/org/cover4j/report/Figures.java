package org.cover4j.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.cover4j.io.AtomicFiles;
import org.cover4j.util.CoverException;

/** Saving figures: PNG, written atomically so a report never links to half an image. */
public final class Figures {
    private Figures() {
    }

    /** Writes {@code image} as a PNG file. */
    public static void writePng(BufferedImage image, Path png) {
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer available");
        });
    }

    private static Boolean fontsWork;

    /**
     * Whether text can be drawn: a JRE without any font (some minimal containers) fails on the first
     * string; figures are then drawn without labels rather than not at all.
     */
    static synchronized boolean fontsWork() {
        if (fontsWork == null) {
            try {
                java.awt.Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
                g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
                g.getFontMetrics().stringWidth("0");
                g.drawString("0", 0, 0);
                g.dispose();
                fontsWork = true;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Exception | Error e) {
                fontsWork = false;
            }
        }
        return fontsWork;
    }

    /** Reads a PNG back (tests, report assembly). */
    public static BufferedImage readPng(Path png) {
        try {
            BufferedImage img = ImageIO.read(png.toFile());
            if (img == null) throw CoverException.file(png, "not a readable image");
            return img;
        } catch (IOException e) {
            throw CoverException.file(png, "cannot read (" + e.getMessage() + ")");
        }
    }
}

package org.cover4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static final List<List<String>> TABLE = List.of(List.of("method", "Dice"), List.of("COVER", "0.82"), List.of("a|b", "<1>"));

    @Test
    void markdown(@TempDir Path dir) throws Exception {
        MarkdownReport r = new MarkdownReport();
        r.heading(1, "Evaluation").paragraph("Mean *Dice* over 3 cases.").table(TABLE).image("loss curve", "plots/loss.png");
        String expected = "# Evaluation\n\nMean \\*Dice\\* over 3 cases.\n\n"
                + "| method | Dice |\n| --- | --- |\n| COVER | 0.82 |\n| a\\|b | <1> |\n\n![loss curve](plots/loss.png)\n";
        assertEquals(expected, r.render());
        Path f = dir.resolve("report.md");
        r.write(f);
        assertEquals(expected, Files.readString(f));
    }

    @Test
    void htmlEscapesText(@TempDir Path dir) throws Exception {
        HtmlReport r = new HtmlReport("Run <1>");
        r.heading(2, "A & B").table(TABLE).image("overlay \"case 1\"", "fig/o.png");
        String html = r.render();
        assertTrue(html.contains("<title>Run &lt;1&gt;</title>"));
        assertTrue(html.contains("<h2>A &amp; B</h2>"));
        assertTrue(html.contains("<tr><td>a|b</td><td>&lt;1&gt;</td></tr>"));
        assertTrue(html.contains("<img src=\"fig/o.png\" alt=\"overlay &quot;case 1&quot;\">"));
        r.write(dir.resolve("r.html"));
        assertEquals(html, Files.readString(dir.resolve("r.html")));
    }

    @Test
    void raggedTablesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MarkdownReport().table(List.of(List.of("a", "b"), List.of("1"))));
        assertThrows(IllegalArgumentException.class, () -> new HtmlReport("x").heading(7, "h"));
    }
}

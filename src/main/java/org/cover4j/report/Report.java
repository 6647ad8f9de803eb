package org.cover4j.report;

import java.nio.file.Path;
import java.util.List;

/**
 * A short document built piece by piece (headings, paragraphs, tables, figures) and written atomically;
 * {@link MarkdownReport} and {@link HtmlReport} render the same calls, so a command can offer either.
 * Image paths are written as given: pass them relative to the report's folder so the report can be moved.
 */
public interface Report {
    /** A heading of {@code level} 1 (title) to 6. */
    Report heading(int level, String text);

    /** A paragraph of plain text (no markup is interpreted). */
    Report paragraph(String text);

    /** A table; the first row is the header, every row must have the header's length. */
    Report table(List<List<String>> rows);

    /** An embedded image with alternative text. */
    Report image(String alt, String path);

    /** The document so far. */
    String render();

    /** Writes {@link #render()} as UTF-8. */
    void write(Path file);

    /** Checks a table's shape (shared by the implementations). */
    static void checkTable(List<List<String>> rows) {
        if (rows.isEmpty()) throw new IllegalArgumentException("table needs at least a header row");
        int n = rows.get(0).size();
        for (List<String> r : rows) {
            if (r.size() != n) throw new IllegalArgumentException("table row has " + r.size() + " cells, header " + n);
        }
    }

    /** Checks a heading level. */
    static void checkLevel(int level) {
        if (level < 1 || level > 6) throw new IllegalArgumentException("heading level must be 1..6, got " + level);
    }
}

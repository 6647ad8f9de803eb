package org.cover4j.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.cover4j.io.AtomicFiles;

/** A {@link Report} in GitHub-flavoured Markdown (pipe tables). */
public final class MarkdownReport implements Report {
    private final StringBuilder sb = new StringBuilder();

    @Override
    public MarkdownReport heading(int level, String text) {
        Report.checkLevel(level);
        block("#".repeat(level) + " " + oneLine(text));
        return this;
    }

    @Override
    public MarkdownReport paragraph(String text) {
        block(escape(text));
        return this;
    }

    @Override
    public MarkdownReport table(List<List<String>> rows) {
        Report.checkTable(rows);
        StringBuilder t = new StringBuilder();
        row(t, rows.get(0));
        t.append('|');
        for (int i = 0; i < rows.get(0).size(); i++) t.append(" --- |");
        t.append('\n');
        for (List<String> r : rows.subList(1, rows.size())) row(t, r);
        block(t.toString().stripTrailing());
        return this;
    }

    @Override
    public MarkdownReport image(String alt, String path) {
        block("![" + oneLine(alt).replace("]", "\\]") + "](" + path.replace(" ", "%20").replace(")", "%29") + ")");
        return this;
    }

    @Override
    public String render() {
        return sb.toString();
    }

    @Override
    public void write(Path file) {
        byte[] bytes = render().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    private void block(String s) {
        if (sb.length() > 0) sb.append('\n');
        sb.append(s).append('\n');
    }

    private static void row(StringBuilder t, List<String> cells) {
        t.append('|');
        for (String c : cells) t.append(' ').append(oneLine(c).replace("|", "\\|")).append(" |");
        t.append('\n');
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ").strip();
    }

    /** Backslash-escapes the characters that would start Markdown markup, so text stays text. */
    private static String escape(String s) {
        return s == null ? "" : s.replaceAll("([\\\\`*_\\[\\]<>#|])", "\\\\$1");
    }
}

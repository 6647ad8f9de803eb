package org.cover4j.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.cover4j.io.AtomicFiles;

/** A {@link Report} as one self-contained HTML page (inline style; images linked, not embedded). */
public final class HtmlReport implements Report {
    private final String title;
    private final StringBuilder body = new StringBuilder();

    /** @param title the page title (browser tab); add a level-1 heading for a visible one */
    public HtmlReport(String title) {
        this.title = title == null ? "" : title;
    }

    @Override
    public HtmlReport heading(int level, String text) {
        Report.checkLevel(level);
        body.append("<h").append(level).append('>').append(escape(text)).append("</h").append(level).append(">\n");
        return this;
    }

    @Override
    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    @Override
    public HtmlReport table(List<List<String>> rows) {
        Report.checkTable(rows);
        body.append("<table>\n<thead><tr>");
        for (String c : rows.get(0)) body.append("<th>").append(escape(c)).append("</th>");
        body.append("</tr></thead>\n<tbody>\n");
        for (List<String> r : rows.subList(1, rows.size())) {
            body.append("<tr>");
            for (String c : r) body.append("<td>").append(escape(c)).append("</td>");
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table>\n");
        return this;
    }

    @Override
    public HtmlReport image(String alt, String path) {
        body.append("<figure><img src=\"").append(escape(path)).append("\" alt=\"").append(escape(alt))
                .append("\"><figcaption>").append(escape(alt)).append("</figcaption></figure>\n");
        return this;
    }

    @Override
    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title) + "</title>\n"
                + "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
                + "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.3em .7em;text-align:left}"
                + "th{background:#f0f0f0}img{max-width:100%}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}</style>\n"
                + "</head>\n<body>\n" + body + "</body>\n</html>\n";
    }

    @Override
    public void write(Path file) {
        byte[] bytes = render().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    private static String escape(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

package org.cover4j.data;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 reader: comma-separated fields, optional double quotes around a field, {@code ""} for a
 * quote inside a quoted field. Fields may not span lines. Blank lines are skipped; a UTF-8 byte-order mark is
 * ignored. Each row keeps its 1-based line number for error messages.
 */
final class Csv {
    record Row(int line, List<String> fields) {}

    private Csv() {}

    static List<Row> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw CoverException.file(file, "file does not exist");
        } catch (IOException e) {
            throw CoverException.file(file, "cannot read: " + e.getMessage());
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (i == 0 && l.startsWith("\uFEFF")) l = l.substring(1);
            if (l.isBlank()) continue;
            rows.add(new Row(i + 1, parseLine(l, file, i + 1)));
        }
        return rows;
    }

    static List<String> parseLine(String line, Path file, int lineNo) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        int i = 0, n = line.length();
        while (true) {
            f.setLength(0);
            boolean quoted = i < n && line.charAt(i) == '"';
            if (quoted) {
                i++;
                while (true) {
                    if (i >= n) throw CoverException.file(file, "line " + lineNo + ": unterminated quoted field");
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        f.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    throw CoverException.file(file, "line " + lineNo + ": unexpected text after a quoted field");
                }
            } else {
                while (i < n && line.charAt(i) != ',') f.append(line.charAt(i++));
            }
            out.add(quoted ? f.toString() : f.toString().trim());
            if (i >= n) break;
            i++; // the comma
            if (i == n) { // trailing comma: one more empty field
                out.add("");
                break;
            }
        }
        return out;
    }
}

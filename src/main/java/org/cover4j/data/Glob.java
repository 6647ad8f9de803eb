package org.cover4j.data;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * File patterns relative to a folder, '/'-separated, case-insensitive: {@code *} (any characters but '/'),
 * {@code ?} (one such character), {@code **}{@code /} (zero or more folders), {@code {a,b}} (alternatives).
 * Matches are listed sorted by relative path.
 */
public final class Glob {
    private Glob() {}

    /** The regular expression equivalent to {@code glob}. */
    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        boolean slash = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                        re.append(slash ? "(?:[^/]*/)*" : ".*");
                        i += slash ? 2 : 1;
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '{' -> { re.append("(?:"); depth++; }
                case '}' -> { if (depth > 0) { re.append(')'); depth--; } else re.append("\\}"); }
                case ',' -> re.append(depth > 0 ? "|" : ",");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (depth != 0) throw CoverException.usage("unbalanced '{' in file pattern '" + glob + "'");
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** True if {@code relativePath} ('/'-separated) matches {@code glob}. */
    public static boolean matches(String glob, String relativePath) {
        return compile(glob).matcher(relativePath).matches();
    }

    /** Regular files under {@code root} whose relative path matches {@code glob}, sorted; hidden files skipped. */
    public static List<Path> list(Path root, String glob) {
        Pattern p = compile(glob);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) throw CoverException.file(root, "folder does not exist");
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(f -> p.matcher(rel(root, f)).matches())
                    .forEach(out::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw CoverException.file(root, "cannot list folder: " + e.getMessage());
        }
        out.sort(Comparator.comparing(f -> rel(root, f)));
        return out;
    }

    static String rel(Path root, Path f) {
        return root.relativize(f).toString().replace('\\', '/');
    }
}

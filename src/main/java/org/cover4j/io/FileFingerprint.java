package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A file's size and SHA-256, as a checkpoint manifest records them for every file it names: a reader trusts a file
 * only when both still match, so a file replaced, truncated or edited after the manifest was written is noticed
 * instead of being paired with the wrong state.
 */
public record FileFingerprint(long bytes, String sha256) {
    /** Measures {@code file} (reads it whole). */
    public static FileFingerprint of(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                total += n;
            }
            return new FileFingerprint(total, HexFormat.of().formatHex(md.digest()));
        } catch (IOException e) {
            throw CoverException.file(file, "cannot be read (" + e.getMessage() + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What is wrong with {@code file} against this fingerprint ("missing", other size, other hash), or null when it matches. */
    public String problem(Path file) {
        if (!Files.isRegularFile(file)) return file.getFileName() + " is missing";
        try {
            long size = Files.size(file);
            if (size != bytes) return file.getFileName() + " has " + size + " bytes, the manifest says " + bytes;
        } catch (IOException e) {
            return file.getFileName() + " cannot be read (" + e.getMessage() + ")";
        }
        FileFingerprint now = of(file);
        if (!now.sha256.equals(sha256)) return file.getFileName() + " has SHA-256 " + now.sha256 + ", the manifest says " + sha256;
        return null;
    }

    /** The JSON form in a manifest. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", bytes);
        m.put("sha256", sha256);
        return m;
    }

    /** Reads the JSON form; null when it is not one. */
    public static FileFingerprint fromMap(Object o) {
        if (!(o instanceof Map<?, ?> m) || !(m.get("bytes") instanceof Number n) || !(m.get("sha256") instanceof String h)) return null;
        return new FileFingerprint(n.longValue(), h);
    }
}

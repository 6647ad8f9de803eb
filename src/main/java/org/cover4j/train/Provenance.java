package org.cover4j.train;

import org.cover4j.torch.Torch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a model came from (as Tribuo records with every model): data listing hash, code and library
 * versions, machine and time. Written into every checkpoint's JSON; {@code cover4j info} prints it.
 */
public record Provenance(String dataDescription, String dataHash, String cover4jVersion, String engine,
                         String java, String os, String createdAt, String commandLine) {
    public static final int FORMAT_VERSION = 1;

    public static Provenance of(String dataDescription, String dataHash, String commandLine) {
        return new Provenance(dataDescription, dataHash, version(), "libtorch 2.10.0 (org.bytedeco:pytorch 2.10.0-1.5.13)",
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors()
                        + " cores, " + Torch.threads() + " threads",
                Instant.now().toString(), commandLine);
    }

    /** The project version from the jar's manifest, or "dev" when run from classes. */
    public static String version() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-dev";
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", dataDescription);
        m.put("data_listing_sha256", dataHash);
        m.put("cover4j_version", cover4jVersion);
        m.put("engine", engine);
        m.put("java", java);
        m.put("os", os);
        m.put("created_at", createdAt);
        m.put("command_line", commandLine);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static Provenance fromMap(Object o) {
        Map<String, Object> m = o instanceof Map ? (Map<String, Object>) o : Map.of();
        return new Provenance(str(m.get("data")), str(m.get("data_listing_sha256")), str(m.get("cover4j_version")),
                str(m.get("engine")), str(m.get("java")), str(m.get("os")), str(m.get("created_at")), str(m.get("command_line")));
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }
}

package org.cover4j.train;

import org.cover4j.torch.Torch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a model came from (as Tribuo records with every model): data listing hash and canonical folder, code and
 * library versions, machine and time, and the data changes a resumed run was allowed to continue over
 * ({@code --allow-data-change}). Written into every checkpoint's JSON; {@code cover4j info} prints it.
 */
public record Provenance(String dataDescription, String dataHash, String cover4jVersion, String engine,
                         String java, String os, String createdAt, String commandLine, String dataPath, List<String> dataChanges) {
    public static final int FORMAT_VERSION = 1;

    public Provenance {
        dataPath = dataPath == null ? "" : dataPath;
        dataChanges = dataChanges == null ? List.of() : List.copyOf(dataChanges);
    }

    public static Provenance of(String dataDescription, String dataHash, String commandLine) {
        return new Provenance(dataDescription, dataHash, version(), "libtorch 2.10.0 (org.bytedeco:pytorch 2.10.0-1.5.13), oneDNN "
                + (Torch.mkldnnAvailable() ? "on" : "off"),
                System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors()
                        + " cores, " + Torch.threads() + " threads",
                Instant.now().toString(), commandLine, "", List.of());
    }

    /** The same record with the data folder's canonical path ({@code Path.toRealPath}; "" for generated data). */
    public Provenance withDataPath(String path) {
        return new Provenance(dataDescription, dataHash, cover4jVersion, engine, java, os, createdAt, commandLine, path, dataChanges);
    }

    /** The same record with {@code changes} (earlier ones first) recorded as data changes a resume was allowed over. */
    public Provenance withDataChanges(List<String> changes) {
        return new Provenance(dataDescription, dataHash, cover4jVersion, engine, java, os, createdAt, commandLine, dataPath, changes);
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
        if (!dataPath.isEmpty()) m.put("data_path", dataPath);
        if (!dataChanges.isEmpty()) m.put("data_changes_allowed", dataChanges);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static Provenance fromMap(Object o) {
        Map<String, Object> m = o instanceof Map ? (Map<String, Object>) o : Map.of();
        List<String> changes = m.get("data_changes_allowed") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        return new Provenance(str(m.get("data")), str(m.get("data_listing_sha256")), str(m.get("cover4j_version")),
                str(m.get("engine")), str(m.get("java")), str(m.get("os")), str(m.get("created_at")), str(m.get("command_line")),
                str(m.get("data_path")), changes);
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }
}

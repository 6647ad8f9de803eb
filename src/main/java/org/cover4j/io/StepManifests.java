package org.cover4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the newest trustworthy checkpoint of a folder written by the step-file protocol: each checkpoint is a set of
 * files named after its step ({@code step-N.safetensors}, {@code step-N.optim.safetensors}) and a manifest
 * {@code step-N.json} naming them with their sizes and SHA-256 in a {@code "files"} section keyed by role
 * ({@code "weights"}, {@code "optimizer"}); one small commit manifest ({@code last.json}, {@code train-state.json}),
 * replaced atomically last, names the newest. A manifest is trusted only when every file it names for the wanted roles
 * still matches; otherwise the next older one is tried, and what was skipped is reported.
 *
 * <p>Manifests written before fingerprints existed (no {@code "files"} section) are taken as they are.
 */
public final class StepManifests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STEP_JSON = Pattern.compile("step-(\\d+)\\.json");

    private StepManifests() {}

    /** A manifest that verified, with the reasons the newer ones it passed over did not. */
    public record Found(Path json, Map<?, ?> doc, List<String> skipped) {}

    /** The result of a scan: the newest manifest that verified (null when none did) and why each newer one was skipped. */
    public record Scan(Found found, List<String> skipped) {
        /** Whether the folder holds any checkpoint at all (verifying or not). */
        public boolean any() {
            return found != null || !skipped.isEmpty();
        }
    }

    /** The step of a manifest name {@code step-N.json}, or -1. */
    public static long step(String fileName) {
        Matcher m = STEP_JSON.matcher(fileName);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The file a manifest names for {@code role}: its {@code "files"} entry's name, or null. */
    public static String fileName(Map<?, ?> doc, String role) {
        if (doc.get("files") instanceof Map<?, ?> files && files.get(role) instanceof Map<?, ?> f && f.get("name") instanceof String n) return n;
        return null;
    }

    /**
     * Scans {@code dir}: the commit manifest {@code commitName} first, then {@code step-N.json} from the highest N down,
     * verifying the files of {@code roles}.
     */
    public static Scan newest(Path dir, String commitName, List<String> roles) {
        List<String> skipped = new ArrayList<>();
        Set<String> failedWeights = new HashSet<>();
        for (Path json : candidates(dir, commitName)) {
            Map<?, ?> doc;
            try {
                doc = JSON.readValue(json.toFile(), Map.class);
            } catch (IOException e) {
                skipped.add(json + ": not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
                continue;
            }
            String weights = fileName(doc, "weights");
            // A step-N.json naming the files the commit manifest named and that failed already: nothing new to say.
            if (weights != null && failedWeights.contains(weights)) continue;
            String problem = problem(doc, dir, roles);
            if (problem == null) return new Scan(new Found(json, doc, List.copyOf(skipped)), List.copyOf(skipped));
            if (weights != null) failedWeights.add(weights);
            skipped.add(json + ": " + problem);
        }
        return new Scan(null, List.copyOf(skipped));
    }

    /** What is wrong with the files {@code doc} names for {@code roles}; null when they verify. */
    public static String problem(Map<?, ?> doc, Path dir, List<String> roles) {
        if (!(doc.get("files") instanceof Map<?, ?>)) return legacyProblem(doc, dir, roles);
        for (String role : roles) {
            String name = fileName(doc, role);
            if (name == null) return "names no " + role + " file";
            FileFingerprint f = FileFingerprint.fromMap(((Map<?, ?>) doc.get("files")).get(role));
            if (f == null) return "the " + role + " entry has no size and SHA-256";
            String p = f.problem(dir.resolve(name));
            if (p != null) return p;
        }
        return null;
    }

    /** A manifest from before fingerprints: its files can only be checked for existence. */
    private static String legacyProblem(Map<?, ?> doc, Path dir, List<String> roles) {
        for (String role : roles) {
            Object name = role.equals("weights") ? doc.get("weights") : doc.get(role) instanceof Map<?, ?> m ? m.get("file") : null;
            if (name != null && !Files.isRegularFile(dir.resolve(name.toString()))) return name + " is missing";
        }
        return null;
    }

    private static List<Path> candidates(Path dir, String commitName) {
        List<Path> out = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve(commitName))) out.add(dir.resolve(commitName));
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> step(p.getFileName().toString()) >= 0 && Files.isRegularFile(p))
                    .sorted(Comparator.comparingLong((Path p) -> step(p.getFileName().toString())).reversed())
                    .forEach(out::add);
        } catch (IOException e) {
            // an unlistable folder: only the commit manifest
        }
        return out;
    }
}

package org.cover4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.cover4j.io.AtomicFiles;
import org.cover4j.io.FileFingerprint;
import org.cover4j.io.FiniteValues;
import org.cover4j.io.SafeTensors;
import org.cover4j.io.StepManifests;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoint protocol shared by pre-training ({@code OUT/checkpoints}, committed by {@code last.json}) and
 * fine-tuning ({@code OUT}, committed by {@code train-state.json}). A checkpoint of step N is
 * <ol>
 *   <li>{@code step-N.safetensors} (weights) and {@code step-N.optim.safetensors} (the optimizer's state), each written
 *       atomically and flushed to the disk, after checking that every value is finite;</li>
 *   <li>{@code step-N.json}: the run's description, naming both files with their size and SHA-256;</li>
 *   <li>the commit manifest, the same document, replaced atomically: the one instant at which step N becomes the
 *       newest checkpoint. A run killed before it resumes from the previous one; after it, from step N;</li>
 *   <li>{@code last.safetensors}, for users and Python ({@code load_file(".../last.safetensors")}): a hard link to (or
 *       copy of) step N's weights, made after the commit and never read for resume;</li>
 *   <li>older checkpoints removed by the retention rule (the newest always kept).</li>
 * </ol>
 * Readers ({@link #newest}) trust only what a manifest names, verify sizes and hashes, and fall back to the newest
 * older checkpoint that verifies, reporting what they skipped.
 */
public final class CheckpointStore {
    public static final String WEIGHTS = "weights";
    public static final String OPTIMIZER = "optimizer";
    /** The user-facing copy of the newest weights. */
    public static final String USER_COPY = "last.safetensors";
    private static final Pattern STEP_FILE = Pattern.compile("step-(\\d+)\\.(safetensors|optim\\.safetensors|json)");

    private final Path dir;
    private final String commitName;
    private final ObjectMapper json;

    /** A store in {@code dir} whose commit manifest is {@code commitName}; {@code json} writes the documents. */
    public CheckpointStore(Path dir, String commitName, ObjectMapper json) {
        this.dir = dir;
        this.commitName = commitName;
        this.json = json;
    }

    public Path dir() {
        return dir;
    }

    /** The commit manifest. */
    public Path commitManifest() {
        return dir.resolve(commitName);
    }

    public static String weightsName(long step) {
        return "step-" + step + ".safetensors";
    }

    public static String optimizerName(long step) {
        return "step-" + step + ".optim.safetensors";
    }

    /** A checkpoint's tensors: values and shapes in order, and the file's metadata strings. */
    public record Tensors(LinkedHashMap<String, float[]> values, Map<String, long[]> shapes, Map<String, String> metadata) {}

    /**
     * Writes and commits the checkpoint of {@code step} (see the class comment); {@code doc} is the description, to which
     * the {@code "files"} section is added. Refuses non-finite weights or moments (exit status 4), writing nothing, so
     * that the newest checkpoint stays the last good one. Returns the commit manifest.
     */
    public Path commit(long step, Tensors weights, Tensors optimizer, Map<String, Object> doc) {
        return commit(step, () -> weights, () -> optimizer, doc);
    }

    /**
     * As {@link #commit(long, Tensors, Tensors, Map)}, with the tensors copied out of the model one file at a time, so
     * that the weights' copy is garbage before the optimizer's is made (their sum was the peak of a 2D run's memory).
     * Non-finite optimizer state removes the weights file just written: nothing new is left, nothing is committed.
     */
    public Path commit(long step, java.util.function.Supplier<Tensors> weightsOf, java.util.function.Supplier<Tensors> optimizerOf,
                       Map<String, Object> doc) {
        String w = weightsName(step);
        String o = optimizerName(step);
        Tensors weights = weightsOf.get();
        refuseNonFinite(step, weights.values(), "weights");
        SafeTensors.write(dir.resolve(w), weights.values(), weights.shapes(), weights.metadata());
        weights = null;
        Tensors optimizer = optimizerOf.get();
        try {
            refuseNonFinite(step, optimizer.values(), "optimizer state");
        } catch (CoverException e) {
            try {
                Files.deleteIfExists(dir.resolve(w));
            } catch (java.io.IOException ignored) {
                // an uncommitted file: never read, removed by the next run's clean-up
            }
            throw e;
        }
        SafeTensors.write(dir.resolve(o), optimizer.values(), optimizer.shapes(), optimizer.metadata());
        optimizer = null;
        Map<String, Object> files = new LinkedHashMap<>();
        files.put(WEIGHTS, entry(w));
        files.put(OPTIMIZER, entry(o));
        Map<String, Object> full = new LinkedHashMap<>(doc);
        full.put("files", files);
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(full);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        AtomicFiles.write(dir.resolve("step-" + step + ".json"), out -> out.write(bytes));
        AtomicFiles.write(commitManifest(), out -> out.write(bytes));
        userCopy(dir.resolve(USER_COPY), dir.resolve(w));
        return commitManifest();
    }

    private Map<String, Object> entry(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.putAll(FileFingerprint.of(dir.resolve(name)).toMap());
        return m;
    }

    private void refuseNonFinite(long step, Map<String, float[]> values, String what) {
        String bad = FiniteValues.firstNonFinite(values);
        if (bad == null) return;
        Path good = Files.isRegularFile(commitManifest()) ? commitManifest() : null;
        throw new CoverException("step " + step + ": the " + what + " hold a non-finite value (" + bad + "); checkpoint not written; "
                + (good != null ? "last good checkpoint: " + good : "no checkpoint was written") + "; try a lower --lr or --clip",
                CoverException.TRAINING_FAILED, null);
    }

    /** Points {@code link} at {@code target}'s content atomically: a hard link, or a copy where links are impossible. */
    private static void userCopy(Path link, Path target) {
        Path tmp = link.resolveSibling("." + link.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try {
                Files.createLink(tmp, target);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(target, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.syncDirectory(link.getParent());
        } catch (IOException e) {
            throw CoverException.file(link, "cannot write (" + e.getMessage() + ")");
        }
    }

    /**
     * Removes the checkpoints that the rule does not keep: the {@code keepNewest} newest (at least the newest committed
     * one, whatever {@code keepNewest} says) and, with {@code keepEvery} > 0, every step that is a multiple of it.
     * Each kept checkpoint keeps its optimizer state, so that a resume can fall back to it. Returns the steps removed.
     */
    public List<Long> prune(long committedStep, int keepNewest, int keepEvery) {
        TreeSet<Long> steps = new TreeSet<>();
        for (Path p : stepFiles()) steps.add(stepOf(p));
        TreeSet<Long> keep = new TreeSet<>();
        keep.add(committedStep);
        steps.descendingSet().stream().limit(Math.max(1, keepNewest)).forEach(keep::add);
        if (keepEvery > 0) steps.stream().filter(s -> s % keepEvery == 0).forEach(keep::add);
        TreeSet<Long> removed = new TreeSet<>();
        for (Path p : stepFiles()) {
            long s = stepOf(p);
            if (keep.contains(s)) continue;
            try {
                Files.deleteIfExists(p);
                removed.add(s);
            } catch (IOException e) {
                // an old checkpoint left behind only costs disk space
            }
        }
        return new ArrayList<>(removed);
    }

    private List<Path> stepFiles() {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> STEP_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long stepOf(Path p) {
        Matcher m = STEP_FILE.matcher(p.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(p.toString());
        return Long.parseLong(m.group(1));
    }

    /** Whether the folder holds any checkpoint (committed or not, verifying or not). */
    public boolean any() {
        return StepManifests.newest(dir, commitName, List.of()).any();
    }

    /**
     * The newest checkpoint whose weights and optimizer state verify, saying on {@code log} which newer ones did not;
     * empty when the folder holds none; an error naming the folder when it holds some but none verifies.
     */
    public Optional<StepManifests.Found> newest(PrintStream log) {
        StepManifests.Scan scan = StepManifests.newest(dir, commitName, List.of(WEIGHTS, OPTIMIZER));
        for (String s : scan.skipped()) log.println("cover4j: skipping a checkpoint that does not verify: " + s);
        if (scan.found() == null) {
            if (scan.skipped().isEmpty()) return Optional.empty();
            throw CoverException.file(dir, "holds checkpoints but none verifies (" + scan.skipped().get(0) + "); nothing can be resumed");
        }
        if (!scan.skipped().isEmpty()) log.println("cover4j: resuming from the older checkpoint " + scan.found().json() + " instead");
        return Optional.of(scan.found());
    }
}

package org.cover4j.downstream;

import org.cover4j.train.StopSignal;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tuning {@code K} times with consecutive seeds and keeping the run with the best validation score ({@code
 * finetune --restarts K}). With a few labelled images the seed alone moves the test score by ±0.1 Dice, and the
 * validation score follows the test score (correlation 0.95–0.99 over 20–40 seeds on Colin27): keeping the best of
 * three by validation drops the runs that went wrong (README, "Does COVER pre-training pay off here?").
 *
 * <p>Run {@code i} trains seed {@code --seed + i} into {@code OUT/seed-N/}, a complete fine-tuning folder of its own
 * (resumable, with its metrics); the kept run's model is then copied into {@code OUT} ({@code best.safetensors},
 * {@code model.json}, {@code metrics.csv}), {@link #SUMMARY} lists every seed's best validation score, and the test
 * set is scored once, with the kept model, into {@code OUT/test}.
 */
public final class FinetuneRestarts {
    /** The summary of the restarts in {@code OUT}. */
    public static final String SUMMARY = "restarts.json";

    private static final RunSetFolder FOLDER = new RunSetFolder("--restarts", "restarts", "them", List.of(SUMMARY));
    private static final List<String> KEPT_FILES = List.of(ModelFiles.BEST, ModelFiles.MODEL_JSON, "metrics.csv");

    private FinetuneRestarts() {}

    /**
     * What the restarts gave: the kept run (or the run a stop signal interrupted: {@code kept().interrupted()}), its
     * seed and folder, each finished seed's best validation score, the test scores.
     */
    public record Outcome(Finetuning.Result kept, long keptSeed, Path keptDir, Map<Long, Double> bestValidation,
                          Map<String, Object> testMetrics) {}

    /** The folder of the run with {@code seed}. */
    public static Path runDir(Path out, long seed) {
        return out.resolve("seed-" + seed);
    }

    /**
     * Runs (or with {@code resume} continues) the {@code restarts} fine-tunings into {@code out}; a run already finished
     * is not trained again, and on resume the runs not yet started take the first run's saved settings (the command
     * line of a resume names little more than the folder); {@code started} is what {@link #started} read of {@code
     * out} for a resume (null when there is none). Stops after the run {@code stop} interrupted, its state saved.
     */
    public static Outcome run(FinetuneSettings given, int restarts, Started started, boolean resume, boolean force, Path out,
                              PrintStream log, String commandLine, boolean verbose, boolean allowDataChange, StopSignal stop) {
        if (restarts < 1) throw CoverException.usage("--restarts must be at least 1, got " + restarts);
        FOLDER.prepare(out, resume, started != null, force);
        String test = given.test() != null || started == null ? given.test() : started.test();
        FinetuneSettings base = given;
        Path first = runDir(out, given.seed());
        // As a single run's resume: the saved configuration, with the steps and device given now.
        if (resume && ModelFiles.holdsModel(first)) base = ModelFiles.savedSettings(first).withSteps(given.steps()).withDevice(given.device());
        Map<Long, Double> best = new LinkedHashMap<>();
        Evaluation.createDirectories(out);
        writeSummary(out, restarts, given.seed(), test, best, null, null);
        Finetuning.Result kept = null;
        long keptSeed = 0;
        for (int i = 0; i < restarts; i++) {
            long seed = given.seed() + i;
            Path dir = runDir(out, seed);
            boolean continuing = resume && ModelFiles.holdsModel(dir);
            log.printf("restart %d of %d: seed %d into %s%s%n", i + 1, restarts, seed, dir, continuing ? " (continued)" : "");
            Finetuning.Result r = Finetuning.run(base.restart(seed), continuing, force, dir, log, commandLine, true, verbose, allowDataChange, stop);
            if (r.interrupted()) return new Outcome(r, seed, dir, best, null);
            double m = r.progress().bestMetric();
            best.put(seed, m);
            writeSummary(out, restarts, given.seed(), test, best, null, r);
            // Ties keep the earlier seed; a run whose validation never scored (NaN) is kept only if no other did.
            if (kept == null || m > best.get(keptSeed) || Double.isNaN(best.get(keptSeed)) && !Double.isNaN(m)) {
                kept = r;
                keptSeed = seed;
            }
        }
        Path keptDir = runDir(out, keptSeed);
        log.printf(Locale.ROOT, "kept seed %d (best validation %s %.4f; %s)%n", keptSeed, kept.spec().task().metric(), best.get(keptSeed),
                summaryLine(best));
        copyKept(keptDir, out);
        writeSummary(out, restarts, given.seed(), test, best, keptSeed, kept);
        Map<String, Object> testMetrics = Finetuning.scoreTest(base.withTest(test), out);
        return new Outcome(kept, keptSeed, keptDir, best, testMetrics);
    }

    private static String summaryLine(Map<Long, Double> best) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Long, Double> e : best.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(String.format(Locale.ROOT, "seed %d: %.4f", e.getKey(), e.getValue()));
        }
        return sb.toString();
    }

    /** Copies the kept run's model into {@code out}, each file through a temporary and an atomic rename. */
    private static void copyKept(Path keptDir, Path out) {
        for (String f : KEPT_FILES) {
            Path from = keptDir.resolve(f);
            Path to = out.resolve(f);
            Path tmp = out.resolve("." + f + ".restart-tmp");
            try {
                Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw CoverException.file(to, "cannot copy the kept run's " + f + " from " + keptDir + " (" + e.getMessage() + ")");
            }
        }
    }

    /** {@link #SUMMARY}: how many restarts from which seed, the test set, each finished run's best validation score, the seed kept. */
    private static void writeSummary(Path out, int restarts, long firstSeed, String test, Map<Long, Double> best, Long keptSeed,
                                     Finetuning.Result any) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("restarts", restarts);
        doc.put("first_seed", firstSeed);
        doc.put("test", test);
        if (any != null) doc.put("metric", "val_" + any.spec().task().metric());
        Map<String, Object> runs = new LinkedHashMap<>();
        for (Map.Entry<Long, Double> e : best.entrySet()) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("dir", runDir(out, e.getKey()).getFileName().toString());
            run.put("best_validation", Double.isNaN(e.getValue()) ? null : e.getValue());
            runs.put(String.valueOf(e.getKey()), run);
        }
        doc.put("runs", runs);
        doc.put("kept_seed", keptSeed);
        ModelFiles.writeJson(out.resolve(SUMMARY), doc);
    }

    /** What a set of restarts was started with: how many, from which seed, and the test set to score the kept run on. */
    public record Started(int restarts, long firstSeed, String test) {}

    /** What the restarts in {@code out} were started with, or null where none were. */
    public static Started started(Path out) {
        Path f = out.resolve(SUMMARY);
        if (!Files.exists(f)) return null;
        Map<?, ?> doc = ModelFiles.readJson(f);
        Object k = doc.get("restarts");
        Object seed = doc.get("first_seed");
        if (!(k instanceof Number kn) || !(seed instanceof Number sn)) throw CoverException.file(f, "not a restarts summary (no restarts, first_seed)");
        return new Started(kn.intValue(), sn.longValue(), doc.get("test") instanceof String t ? t : null);
    }
}

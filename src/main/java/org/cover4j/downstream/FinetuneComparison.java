package org.cover4j.downstream;

import org.cover4j.metrics.Statistics;
import org.cover4j.report.MarkdownReport;
import org.cover4j.train.StopSignal;
import org.cover4j.util.CoverException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tuning from pre-trained weights and from scratch with the same seeds, and the paired comparison of the two
 * ({@code finetune --init RUN --compare-scratch N}): the question a user of pre-training asks, answered the way the
 * README's pay-off tables answer it. With a few labelled images the seed alone moves a run by about ±0.1 Dice, so a
 * single pair of runs says little; the same seed in both arms gives both the same data order and head initialisation,
 * and the per-seed differences carry the comparison (paired t-test and exact sign test).
 *
 * <p>Seed {@code s} trains into {@code OUT/pretrained/seed-s/} and {@code OUT/scratch/seed-s/}, each a complete,
 * resumable fine-tuning folder scored on the test set; the scratch arm takes the network and patch the pre-trained
 * run used. {@link #SUMMARY} holds every finished pair and, at the end, the statistics; {@link #REPORT} the table.
 */
public final class FinetuneComparison {
    /** The comparison's machine-readable summary in {@code OUT}. */
    public static final String SUMMARY = "comparison.json";
    /** The comparison's table in {@code OUT}. */
    public static final String REPORT = "comparison.md";
    public static final String PRETRAINED = "pretrained";
    public static final String SCRATCH = "scratch";

    private static final RunSetFolder FOLDER = new RunSetFolder("--compare-scratch", "a comparison", "it", List.of(SUMMARY, REPORT));

    private FinetuneComparison() {}

    /** What a comparison was started with: how many seeds, from which, the pre-trained weights and the test set. */
    public record Started(int seeds, long firstSeed, String init, String test) {}

    /** A finished comparison: each seed's test scores (pre-trained, scratch) and the paired statistics of pre-trained − scratch. */
    public record Summary(String metric, Map<Long, double[]> scores, Statistics.Paired paired, int better, int worse, double signP) {
        public double mean(int arm) {
            return Statistics.mean(column(arm));
        }

        public double sd(int arm) {
            return Statistics.sd(column(arm));
        }

        double[] column(int arm) {
            return scores.values().stream().mapToDouble(p -> p[arm]).toArray();
        }
    }

    /** The comparison's end: its summary, or the run a stop signal interrupted (its state saved) and that run's folder. */
    public record Outcome(Summary summary, Finetuning.Result interrupted, Path interruptedDir) {}

    /** The folder of one arm's run with {@code seed}. */
    public static Path runDir(Path out, String arm, long seed) {
        return out.resolve(arm).resolve("seed-" + seed);
    }

    /**
     * Runs (or with {@code resume} continues) the comparison into {@code out}: for each of {@code seeds} seeds from
     * {@code given.seed()}, the run from {@code given.init()} and the run from scratch. A resumed comparison keeps the
     * runs it finished and continues the one it stopped in; {@code started} is what {@link #started} read of {@code out}
     * (null where there is none).
     */
    public static Outcome run(FinetuneSettings given, int seeds, Started started, boolean resume, boolean force, Path out, PrintStream log,
                              String commandLine, boolean verbose, boolean allowDataChange, StopSignal stop) {
        if (seeds < 2) throw CoverException.usage("--compare-scratch needs at least 2 seeds (the comparison is a paired test), got " + seeds);
        FOLDER.prepare(out, resume, started != null, force);
        FinetuneSettings base = given;
        Path first = runDir(out, PRETRAINED, given.seed());
        if (resume && ModelFiles.holdsModel(first)) {
            // As a single run's resume: the saved configuration, with the steps, device (and test set) given now.
            base = ModelFiles.savedSettings(first).withSteps(given.steps()).withDevice(given.device())
                    .withTest(given.test() != null || started == null ? given.test() : started.test());
        }
        if (resume && started != null && base == given && given.train() == null && given.preset() == null) {
            throw CoverException.usage("the comparison in " + out + " stopped before its first run saved a state: give its whole command "
                    + "again, with --resume");
        }
        if (base.init() == null) {
            throw CoverException.usage("--compare-scratch needs --init (the pre-trained weights to compare with scratch)");
        }
        if (base.test() == null && base.preset() == null) {
            throw CoverException.usage("--compare-scratch needs --test (the held-out set both arms are scored on)");
        }
        String metric = base.taskKind().metric();
        Map<Long, double[]> scores = new LinkedHashMap<>();
        Evaluation.createDirectories(out);
        writeSummary(out, seeds, base, metric, scores, null);
        ModelSpec used = null;
        for (int i = 0; i < seeds; i++) {
            long seed = given.seed() + i;
            double[] pair = new double[2];
            for (int arm = 0; arm < 2; arm++) {
                String name = arm == 0 ? PRETRAINED : SCRATCH;
                Path dir = runDir(out, name, seed);
                FinetuneSettings s = arm == 0 ? base.withSeed(seed) : base.fromScratch(used.backbone(), used.patch()).withSeed(seed);
                Double done = resume ? finishedScore(dir, metric) : null;
                if (done != null) {
                    log.printf(Locale.ROOT, "compare: seed %d (%d of %d), %s: finished earlier, test %s %.4f%n", seed, i + 1, seeds, name, metric, done);
                    pair[arm] = done;
                } else {
                    boolean continuing = resume && ModelFiles.holdsModel(dir);
                    log.printf("compare: seed %d (%d of %d), %s into %s%s%n", seed, i + 1, seeds, name, dir, continuing ? " (continued)" : "");
                    Finetuning.Result r = Finetuning.run(s, continuing, force, dir, log, commandLine, true, verbose, allowDataChange, stop);
                    if (r.interrupted()) return new Outcome(null, r, dir);
                    if (r.testMetrics() == null || !(r.testMetrics().get(metric) instanceof Number score)) {
                        throw CoverException.usage("--compare-scratch: the run in " + dir + " has no test " + metric + " (give --test)");
                    }
                    pair[arm] = score.doubleValue();
                }
                // The scratch arm trains the network and patch the pre-trained run used (its channels come from the checkpoint).
                if (arm == 0 && used == null) used = ModelFiles.readModel(dir, "--out").spec();
            }
            scores.put(seed, pair);
            writeSummary(out, seeds, base, metric, scores, null);
        }
        Summary summary = summarise(metric, scores);
        writeSummary(out, seeds, base, metric, scores, summary);
        writeReport(out.resolve(REPORT), base, summary);
        return new Outcome(summary, null, null);
    }

    /** The paired statistics of pre-trained − scratch over the seeds in {@code scores}. */
    public static Summary summarise(String metric, Map<Long, double[]> scores) {
        double[] a = scores.values().stream().mapToDouble(p -> p[0]).toArray();
        double[] b = scores.values().stream().mapToDouble(p -> p[1]).toArray();
        int better = 0;
        int worse = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) better++;
            else if (a[i] < b[i]) worse++;
        }
        return new Summary(metric, scores, Statistics.pairedT(a, b), better, worse, Statistics.signTest(better, worse));
    }

    /** One line of the result, for the console. */
    public static String line(Summary s) {
        Statistics.Paired p = s.paired();
        return String.format(Locale.ROOT, "test %s: pre-trained %.4f ± %.4f, scratch %.4f ± %.4f; paired difference %+.4f ± %.4f "
                        + "(t %.2f, p %s); pre-trained better on %d of %d seeds (sign test p %s)", s.metric(), s.mean(0), s.sd(0), s.mean(1), s.sd(1),
                p.meanDiff(), p.sdDiff(), p.t(), pValue(p.p()), s.better(), s.scores().size(), pValue(s.signP()));
    }

    private static String pValue(double p) {
        if (Double.isNaN(p)) return "n/a";
        return p < 1e-3 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.3f", p);
    }

    /** The test score of a finished run in {@code dir} (its {@code test/metrics.json}), or null where it has not finished. */
    private static Double finishedScore(Path dir, String metric) {
        Path f = dir.resolve("test").resolve("metrics.json");
        if (!Files.exists(f) || !ModelFiles.holdsModel(dir)) return null;
        return ModelFiles.readJson(f).get(metric) instanceof Number n ? n.doubleValue() : null;
    }

    private static void writeSummary(Path out, int seeds, FinetuneSettings s, String metric, Map<Long, double[]> scores, Summary summary) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("seeds", seeds);
        doc.put("first_seed", s.seed());
        doc.put("init", s.init());
        doc.put("test", s.test());
        doc.put("metric", "test_" + metric);
        Map<String, Object> runs = new LinkedHashMap<>();
        for (Map.Entry<Long, double[]> e : scores.entrySet()) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put(PRETRAINED, e.getValue()[0]);
            run.put(SCRATCH, e.getValue()[1]);
            runs.put(String.valueOf(e.getKey()), run);
        }
        doc.put("runs", runs);
        if (summary != null) {
            Statistics.Paired p = summary.paired();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("pretrained_mean", summary.mean(0));
            r.put("pretrained_sd", summary.sd(0));
            r.put("scratch_mean", summary.mean(1));
            r.put("scratch_sd", summary.sd(1));
            r.put("mean_difference", p.meanDiff());
            r.put("sd_difference", p.sdDiff());
            r.put("paired_t", Double.isNaN(p.t()) ? null : p.t());
            r.put("paired_t_p", Double.isNaN(p.p()) ? null : p.p());
            r.put("pretrained_better", summary.better());
            r.put("scratch_better", summary.worse());
            r.put("sign_test_p", summary.signP());
            doc.put("result", r);
        }
        ModelFiles.writeJson(out.resolve(SUMMARY), doc);
    }

    private static void writeReport(Path file, FinetuneSettings s, Summary summary) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("seed", "pre-trained", "scratch", "difference"));
        for (Map.Entry<Long, double[]> e : summary.scores().entrySet()) {
            double[] p = e.getValue();
            rows.add(List.of(String.valueOf(e.getKey()), f4(p[0]), f4(p[1]), String.format(Locale.ROOT, "%+.4f", p[0] - p[1])));
        }
        rows.add(List.of("mean ± sd", f4(summary.mean(0)) + " ± " + f4(summary.sd(0)), f4(summary.mean(1)) + " ± " + f4(summary.sd(1)),
                String.format(Locale.ROOT, "%+.4f ± %.4f", summary.paired().meanDiff(), summary.paired().sdDiff())));
        new MarkdownReport()
                .heading(1, "Pre-trained against scratch: test " + summary.metric())
                .paragraph("Pre-trained weights: " + s.init() + ". Each seed fine-tunes both arms with the same data order and head "
                        + "initialisation (folders pretrained/seed-N and scratch/seed-N); every setting is in each run's " + ModelFiles.STATE_JSON + ".")
                .table(rows)
                .paragraph(line(summary) + ". A p-value above 0.05 means the seeds cannot tell the arms apart; more seeds narrow it.")
                .write(file);
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** What the comparison in {@code out} was started with, or null where there is none. */
    public static Started started(Path out) {
        Path f = out.resolve(SUMMARY);
        if (!Files.exists(f)) return null;
        Map<?, ?> doc = ModelFiles.readJson(f);
        if (!(doc.get("seeds") instanceof Number n) || !(doc.get("first_seed") instanceof Number seed)) {
            throw CoverException.file(f, "not a comparison summary (no seeds, first_seed)");
        }
        return new Started(n.intValue(), seed.longValue(), doc.get("init") instanceof String i ? i : null, doc.get("test") instanceof String t ? t : null);
    }
}

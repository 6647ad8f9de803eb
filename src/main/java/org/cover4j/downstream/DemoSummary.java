package org.cover4j.downstream;

import org.bytedeco.pytorch.Device;
import org.cover4j.data.phantom.Phantoms;
import org.cover4j.report.HtmlReport;
import org.cover4j.report.MarkdownReport;
import org.cover4j.report.Plots;
import org.cover4j.report.Report;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's summary ({@code summary.md} and {@code summary.html}): test Dice per class, mean Dice and HD95 of
 * the COVER-initialised and the from-scratch fine-tuned models, the pre-training loss curve, the validation
 * curves, and overlays of a few test cases (prediction solid, reference dashed).
 */
public final class DemoSummary {
    private DemoSummary() {}

    /** One fine-tuned model to compare: a name and its {@code finetune --out} folder (with {@code test/metrics.json}). */
    public record Run(String name, Path dir) {}

    /**
     * Writes the summary into {@code out}. {@code pretrainDir} holds the pre-training {@code metrics.csv};
     * {@code testData} the test phantoms ({@code images/}, {@code labels/}); {@code overlays} test cases get figures.
     */
    public static Path write(Path out, Path pretrainDir, List<Run> runs, Path testData, int overlays, Device device, String settingsText) {
        Path figures = out.resolve("figures");
        Evaluation.createDirectories(figures);
        List<Map<?, ?>> metrics = new ArrayList<>();
        for (Run r : runs) metrics.add(readJson(r.dir().resolve("test/metrics.json")));

        Plots.writeLineChart(figures.resolve("pretrain_loss.png"), "COVER pre-training loss", "step", "loss",
                Plots.seriesFromCsv(pretrainDir.resolve("metrics.csv"), "step", "loss_vec", "loss_con"), 720, 360, true);
        List<Plots.Series> val = new ArrayList<>();
        for (Run r : runs) {
            Plots.Series s = Plots.seriesFromCsv(r.dir().resolve("metrics.csv"), "step", "val_mean_dice").get(0);
            val.add(new Plots.Series(r.name(), s.x(), s.y()));
        }
        Plots.writeLineChart(figures.resolve("val_dice.png"), "Validation mean Dice during fine-tuning", "step", "mean Dice", val, 720, 360, false);

        List<List<String>> overlayRows = new ArrayList<>();
        List<Case> test = Cases.load(DataSource.open(Task.SEG, testData, "test data"),
                Cases.Prep.of(ModelFiles.readModel(runs.get(0).dir(), "--model").spec()), 0, null);
        List<Case> shown = test.subList(0, Math.min(overlays, test.size()));
        for (Run r : runs) {
            ModelFiles.Loaded m = ModelFiles.readModel(r.dir(), "--model");
            Predictor p = new Predictor(ModelFiles.openNet(m, device), device, 4);
            for (Case c : shown) {
                int[] pred = Predictor.argmax(p.segmentationProbabilities(c), m.spec().numClasses());
                Prediction.writeOverlay(figures.resolve(slug(r.name()) + "_" + c.id() + ".png"), c, pred, c.labels());
            }
        }
        for (Report rep : List.of(new MarkdownReport(), new HtmlReport("cover4j demo"))) {
            rep.heading(1, "cover4j demo: COVER pre-training, then segmentation with few labels");
            rep.paragraph(settingsText);
            rep.heading(2, "Test set (" + metrics.get(0).get("n") + " held-out phantoms)");
            rep.table(table(runs, metrics));
            rep.paragraph("Dice per class and mean over the foreground classes (higher is better); HD95 = 95th-percentile "
                    + "Hausdorff distance in pixels, mean over cases where both masks are non-empty (lower is better; 'inf cases' = "
                    + "cases with a structure missed or hallucinated). Per-case numbers: <run>/test/per_case.csv.");
            rep.heading(2, "Training");
            rep.image("COVER pre-training loss (loss_vec: displacement L1, loss_con: feature consistency)", "figures/pretrain_loss.png");
            rep.image("Validation mean Dice of the two fine-tuning runs", "figures/val_dice.png");
            rep.heading(2, "Test overlays (prediction solid, reference dashed)");
            for (Case c : shown) {
                for (Run r : runs) rep.image(r.name() + ": " + c.id(), "figures/" + slug(r.name()) + "_" + c.id() + ".png");
            }
            rep.write(out.resolve(rep instanceof MarkdownReport ? "summary.md" : "summary.html"));
        }
        return out.resolve("summary.md");
    }

    private static List<List<String>> table(List<Run> runs, List<Map<?, ?>> metrics) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("metric"));
        for (Run r : runs) header.add(r.name());
        rows.add(header);
        Map<?, ?> perClass0 = (Map<?, ?>) metrics.get(0).get("per_class");
        for (Object cls : perClass0.keySet()) {
            int c = Integer.parseInt(cls.toString());
            String name = c < Phantoms.LABEL_NAMES.size() ? Phantoms.LABEL_NAMES.get(c) : "class " + c;
            List<String> row = new ArrayList<>(List.of("Dice " + name));
            for (Map<?, ?> m : metrics) row.add(fmt(((Map<?, ?>) ((Map<?, ?>) m.get("per_class")).get(cls)).get("dice")));
            rows.add(row);
        }
        for (String[] k : new String[][] {{"mean Dice", "mean_dice"}, {"sd of Dice over cases", "sd_dice"}, {"mean IoU", "mean_iou"},
                {"mean HD95 (finite cases)", "mean_hd95_finite"}, {"HD95 inf cases", "hd95_infinite_cases"}}) {
            List<String> row = new ArrayList<>(List.of(k[0]));
            for (Map<?, ?> m : metrics) row.add(fmt(m.get(k[1])));
            rows.add(row);
        }
        return rows;
    }

    private static String fmt(Object v) {
        if (v instanceof Integer || v instanceof Long) return v.toString();
        if (v instanceof Number n) return String.format(Locale.ROOT, "%.3f", n.doubleValue());
        return String.valueOf(v);
    }

    private static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    private static Map<?, ?> readJson(Path f) {
        try {
            return ModelFiles.JSON.readValue(f.toFile(), Map.class);
        } catch (IOException e) {
            throw CoverException.file(f, "cannot read (" + e.getMessage() + ")");
        }
    }

}

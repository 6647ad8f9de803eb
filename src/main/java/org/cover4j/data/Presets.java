package org.cover4j.data;

import org.cover4j.data.Preprocess.Fit;
import org.cover4j.data.Preset.Task;
import org.cover4j.util.CoverException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The data sets of the COVER paper as presets: two pre-training sources (ChestX-ray8 in 2D, PPMI in 3D) and
 * the downstream sets. Settings taken from the reference code are marked as such; everything the paper does
 * not state is "our choice" and says so in {@link Preset#choices()}.
 */
public final class Presets {
    private static final Map<String, Preset> ALL = new LinkedHashMap<>();
    private static final int[] SIZE_3D = {128, 128, 128};
    /** CANDI and PPMI: "resize and crop 160×160×128 on the brain region" (PROTOCOL.md). */
    private static final int[] BRAIN_3D = {160, 160, 128};

    static {
        // The paper's intensity scalings (PROTOCOL.md, C.1): x/255 for 8-bit pictures, min-max for MRI, and for CT
        // max(min(x, 2048), 0)/2048 (KiPA22, STOIC).
        Normalization x255 = Normalization.divide(255);
        Normalization mri = Normalization.minMax();
        Normalization ct = Normalization.clip(0, 2048);
        Preprocess brain3d = new Preprocess(mri, 1, true, null, BRAIN_3D, Fit.RESIZE, false);
        Preprocess ct3d = new Preprocess(ct, 1, true, null, SIZE_3D, Fit.RESIZE, false);

        add(new Preset("ChestX-ray8", 2, Task.PRETRAIN, "chest X-ray",
                "NIH ChestX-ray8: 112,120 frontal chest X-rays (1024×1024 PNG), unlabeled 2D pre-training source",
                Layout.images("**/*.png"),
                new Preprocess(x255, 1, false, null, new int[] {576, 576}, Fit.RESIZE, false),
                0, List.of(), 0, 0, 1, -1,
                "x/255 and resize to 576 = 1.5 × 384 as the reference loader (random 384 crops come from the augmentation)"));
        add(new Preset("PPMI", 3, Task.PRETRAIN, "brain MRI (T1)",
                "Parkinson's Progression Markers Initiative T1-weighted brain MRI, unlabeled 3D pre-training source",
                Layout.images("**/*.{nii,nii.gz}"), brain3d, 0, List.of(), 0, 0, 1, -1,
                "the paper's min-max and 160×160×128, reached by resizing the whole volume (the paper crops on the brain "
                        + "region after HD-BET skull stripping, which is not done here)"));
        add(new Preset("CANDI", 3, Task.SEGMENTATION, "brain MRI (T1)",
                "CANDI Share: 103 T1 brain MRI of children and adolescents with manual brain-structure labels",
                Layout.paired("images/*.{nii,nii.gz}", "labels/*.{nii,nii.gz}"), brain3d,
                29, List.of(), val(40, 20, 43), test(40, 20, 43), 1, -1,
                "the paper's min-max, 160×160×128 and split 40/20/43 of 103 (proportional for other counts); the size is "
                        + "reached by resizing the whole volume, not by cropping on the brain region (our choice); 29 classes "
                        + "(28 structures + background), labels must be 0..28"));
        add(new Preset("FeTA21", 3, Task.SEGMENTATION, "fetal brain MRI (T2)",
                "FeTA 2021: 80 super-resolved fetal brain T2w MRI (0.5 mm) with 7 tissue labels, BIDS layout",
                Layout.paired("sub-*/anat/*_T2w.{nii,nii.gz}", "sub-*/anat/*_dseg.{nii,nii.gz}", "_T2w", "_dseg"),
                new Preprocess(mri, 1, true, null, SIZE_3D, Fit.RESIZE, false), 8, List.of(), val(20, 20, 40), test(20, 20, 40), 1, -1,
                "the paper's min-max and split 20/20/40 of 80 (proportional for other counts); resizing to 128³ is our "
                        + "choice (the paper trains on random 128³ crops)"));
        add(new Preset("SCR", 2, Task.SEGMENTATION, "chest X-ray",
                "SCR masks of the 247 JSRT chest X-rays: lungs, heart, clavicles (merge the per-organ masks into "
                        + "one map: 0 background, 1 lungs, 2 heart, 3 clavicles)",
                Layout.paired("images/*.png", "labels/*.png"),
                new Preprocess(x255, 1, false, null, new int[] {512, 512}, Fit.RESIZE, false),
                4, List.of(), val(100, 47, 100), test(100, 47, 100), 0.25, -1,
                "the paper's resize to 512², x/255, split 100/47/100 of 247 (proportional for other counts) and 25% of the "
                        + "training labels (SCR 25%); 8-bit PNG images"));
        add(new Preset("KiPA22", 3, Task.SEGMENTATION, "contrast CT (kidney)",
                "KiPA 2022 kidney parsing: 70 CT volumes with renal vein, kidney, renal artery and tumour labels",
                Layout.paired("**/image/*.nii.gz", "**/label/*.nii.gz"), ct3d,
                5, List.of(), val(70, 30, 30), test(70, 30, 30), 1, -1,
                "the paper's clip to [0, 2048]/2048 and split 70/30/30 of 130 volumes (proportional for other counts); "
                        + "resizing to 128³ is our choice (the paper trains on random 128³ crops)"));
        add(new Preset("KiPA22-2D", 2, Task.SEGMENTATION, "contrast CT (kidney)",
                "KiPA 2022 as 2D axial slices (volumes reoriented to RAS, slices along axis 2 that contain labels)",
                Layout.paired("**/image/*.nii.gz", "**/label/*.nii.gz"),
                new Preprocess(ct, 1, true, null, new int[] {256, 256}, Fit.RESIZE, false),
                5, List.of(), val(70, 30, 30), test(70, 30, 30), 1, 2,
                "the paper's clip to [0, 2048]/2048 and split by volume 70/30/30 of 130; slice size 256² and skipping "
                        + "unlabelled slices are our choice"));
        add(new Preset("FIVES", 2, Task.SEGMENTATION, "colour fundus photograph",
                "FIVES: 800 fundus photographs (2048×2048) with retinal-vessel annotations, as released (train/test folders)",
                Layout.paired("{split}/Original/*.png", "{split}/Ground truth/*.png"),
                new Preprocess(x255, 3, false, null, new int[] {512, 512}, Fit.RESIZE, true),
                2, List.of(), 0.1, 0, 1, -1,
                "the paper's resize to 512², x/255 and split 540/60/200 (the released 600/200 folders, 10% of train as "
                        + "validation)"));
        add(new Preset("PDCXR", 2, Task.CLASSIFICATION, "chest X-ray",
                "Paediatric pneumonia chest X-rays (Kermany et al.): 5,856 JPEGs, NORMAL vs PNEUMONIA, as released",
                Layout.images("{split}/{class}/*.{jpeg,jpg,png}"),
                new Preprocess(x255, 1, false, null, new int[] {512, 512}, Fit.RESIZE, false),
                2, List.of("NORMAL", "PNEUMONIA"), 0.1, 0, 1, -1,
                "the paper's resize to 512² and x/255; the released split folders are kept (the paper's 3,659/1,573/624 "
                        + "re-splits the released train and val, 5,232 images, which is not reproduced: our choice)"));
        add(new Preset("STOIC", 3, Task.CLASSIFICATION, "chest CT",
                "STOIC2021: chest CT (.mha) of patients with suspected COVID-19; class = probCOVID (RT-PCR result)",
                Layout.classTable("data/mha/{id}.mha", "metadata/reference.csv", "PatientID", "probCOVID"), ct3d,
                2, List.of("negative", "COVID"), val(1000, 400, 600), test(1000, 400, 600), 1, -1,
                "the paper's clip to [0, 2048]/2048 and split 1,000/400/600 of 2,000 (proportional for other counts); the "
                        + "target (probCOVID rather than probSevere), resizing to 128³ without Lungmask's lung extraction or "
                        + "1 mm resampling are our choice"));
    }

    private Presets() {}

    /** The validation fraction of a split stated as counts: on a complete data set it gives exactly those counts. */
    private static double val(int train, int val, int test) {
        return val / (double) (train + val + test);
    }

    /** The test fraction of a split stated as counts. */
    private static double test(int train, int val, int test) {
        return test / (double) (train + val + test);
    }

    private static void add(Preset p) {
        ALL.put(p.name().toLowerCase(Locale.ROOT), p);
    }

    /** Preset names in table order. */
    public static List<String> names() {
        return ALL.values().stream().map(Preset::name).toList();
    }

    /** All presets in table order. */
    public static List<Preset> all() {
        return List.copyOf(ALL.values());
    }

    /** The preset with this name (case-insensitive); an unknown name is a usage error with a suggestion. */
    public static Preset get(String name) {
        Preset p = ALL.get(name.trim().toLowerCase(Locale.ROOT));
        if (p != null) return p;
        String guess = closest(name.trim().toLowerCase(Locale.ROOT));
        throw CoverException.usage("unknown data set preset '" + name + "'"
                + (guess != null ? "; did you mean '" + guess + "'?" : "") + " Known presets: " + String.join(", ", names()));
    }

    /** The name nearest in edit distance, if it is close enough to be a misspelling. */
    private static String closest(String name) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (Preset p : ALL.values()) {
            int d = editDistance(name, p.name().toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = p.name();
            }
        }
        return bestD <= Math.max(2, name.length() / 3) ? best : null;
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A Markdown table of all presets, for the README. */
    public static String markdownTable() {
        List<String> lines = new ArrayList<>();
        lines.add("| Preset | Dim | Task | Modality | Expected layout under DATA_DIR | Preprocessing | Classes | Default split | Our choices |");
        lines.add("|---|---|---|---|---|---|---|---|---|");
        for (Preset p : ALL.values()) {
            String classes = p.numClasses() == 0 ? "-" : p.numClasses()
                    + (p.classNames().isEmpty() ? "" : " (" + String.join(", ", p.classNames()) + ")");
            lines.add("| " + String.join(" | ", p.name(), p.dim() + "D", p.task().label(), p.modality(),
                    p.layout().describe(), p.preprocess().describe(), classes, p.describeSplit(), p.choices())
                    .replace("\n", " ") + " |");
        }
        lines.add("");
        lines.add("A `manifest.csv` in DATA_DIR (columns `image`, `label` or `class`, optional `split`, `id`) replaces the layout.");
        return String.join("\n", lines) + "\n";
    }
}

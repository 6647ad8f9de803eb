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
    private static final String SEG_SPLIT_NOTE = "split 70/10/20";
    private static final int[] SIZE_3D = {128, 128, 128};

    static {
        Normalization x255 = Normalization.divide(255);
        Normalization mri = Normalization.percentile(0.5, 99.5);
        Normalization ct = Normalization.clip(-1000, 1000);
        Preprocess mri3d = new Preprocess(mri, 1, true, null, SIZE_3D, Fit.RESIZE, false);
        Preprocess ct3d = new Preprocess(ct, 1, true, null, SIZE_3D, Fit.RESIZE, false);

        add(new Preset("ChestX-ray8", 2, Task.PRETRAIN, "chest X-ray",
                "NIH ChestX-ray8: 112,120 frontal chest X-rays (1024×1024 PNG), unlabeled 2D pre-training source",
                Layout.images("**/*.png"),
                new Preprocess(x255, 1, false, null, new int[] {576, 576}, Fit.RESIZE, false),
                0, List.of(), 0, 0, 1, -1,
                "x/255 and resize to 576 = 1.5 × 384 as the reference loader (random 384 crops come from the augmentation)"));
        add(new Preset("PPMI", 3, Task.PRETRAIN, "brain MRI (T1)",
                "Parkinson's Progression Markers Initiative T1-weighted brain MRI, unlabeled 3D pre-training source",
                Layout.images("**/*.{nii,nii.gz}"), mri3d, 0, List.of(), 0, 0, 1, -1,
                "normalisation and size are our choice"));
        add(new Preset("CANDI", 3, Task.SEGMENTATION, "brain MRI (T1)",
                "CANDI Share: 103 T1 brain MRI of children and adolescents with manual brain-structure labels",
                Layout.paired("images/*.{nii,nii.gz}", "labels/*.{nii,nii.gz}"), mri3d,
                29, List.of(), 0.1, 0.2, 1, -1,
                "29 classes (28 structures + background), normalisation, size and " + SEG_SPLIT_NOTE
                        + " are our choice; labels must be 0..28"));
        add(new Preset("FeTA21", 3, Task.SEGMENTATION, "fetal brain MRI (T2)",
                "FeTA 2021: 80 super-resolved fetal brain T2w MRI (0.5 mm) with 7 tissue labels, BIDS layout",
                Layout.paired("sub-*/anat/*_T2w.{nii,nii.gz}", "sub-*/anat/*_dseg.{nii,nii.gz}", "_T2w", "_dseg"),
                mri3d, 8, List.of(), 0.1, 0.2, 1, -1,
                "normalisation, size and " + SEG_SPLIT_NOTE + " are our choice"));
        add(new Preset("SCR", 2, Task.SEGMENTATION, "chest X-ray",
                "SCR masks of the 247 JSRT chest X-rays: lungs, heart, clavicles (merge the per-organ masks into "
                        + "one map: 0 background, 1 lungs, 2 heart, 3 clavicles)",
                Layout.paired("images/*.png", "labels/*.png"),
                new Preprocess(x255, 1, false, null, new int[] {512, 512}, Fit.RESIZE, false),
                4, List.of(), 0.1, 0.2, 0.25, -1,
                "25% of training labels as in the paper's setting; 8-bit PNG images; size and " + SEG_SPLIT_NOTE
                        + " are our choice"));
        add(new Preset("KiPA22", 3, Task.SEGMENTATION, "contrast CT (kidney)",
                "KiPA 2022 kidney parsing: 70 CT volumes with renal vein, kidney, renal artery and tumour labels",
                Layout.paired("**/image/*.nii.gz", "**/label/*.nii.gz"), ct3d,
                5, List.of(), 0.1, 0.2, 1, -1,
                "CT window, size and " + SEG_SPLIT_NOTE + " are our choice"));
        add(new Preset("KiPA22-2D", 2, Task.SEGMENTATION, "contrast CT (kidney)",
                "KiPA 2022 as 2D axial slices (volumes reoriented to RAS, slices along axis 2 that contain labels)",
                Layout.paired("**/image/*.nii.gz", "**/label/*.nii.gz"),
                new Preprocess(ct, 1, true, null, new int[] {256, 256}, Fit.RESIZE, false),
                5, List.of(), 0.1, 0.2, 1, 2,
                "CT window, slice size, skipping unlabelled slices and " + SEG_SPLIT_NOTE + " (by volume) are our choice"));
        add(new Preset("FIVES", 2, Task.SEGMENTATION, "colour fundus photograph",
                "FIVES: 800 fundus photographs (2048×2048) with retinal-vessel annotations, as released (train/test folders)",
                Layout.paired("{split}/Original/*.png", "{split}/Ground truth/*.png"),
                new Preprocess(x255, 3, false, null, new int[] {512, 512}, Fit.RESIZE, true),
                2, List.of(), 0.1, 0, 1, -1,
                "size and the 10% validation part of train are our choice"));
        add(new Preset("PDCXR", 2, Task.CLASSIFICATION, "chest X-ray",
                "Paediatric pneumonia chest X-rays (Kermany et al.): 5,856 JPEGs, NORMAL vs PNEUMONIA, as released",
                Layout.images("{split}/{class}/*.{jpeg,jpg,png}"),
                new Preprocess(x255, 1, false, null, new int[] {256, 256}, Fit.RESIZE, false),
                2, List.of("NORMAL", "PNEUMONIA"), 0.1, 0, 1, -1,
                "size is our choice"));
        add(new Preset("STOIC", 3, Task.CLASSIFICATION, "chest CT",
                "STOIC2021: chest CT (.mha) of patients with suspected COVID-19; class = probCOVID (RT-PCR result)",
                Layout.classTable("data/mha/{id}.mha", "metadata/reference.csv", "PatientID", "probCOVID"), ct3d,
                2, List.of("negative", "COVID"), 0.1, 0.2, 1, -1,
                "target (probCOVID rather than probSevere), CT window, size and split 70/10/20 are our choice"));
    }

    private Presets() {}

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

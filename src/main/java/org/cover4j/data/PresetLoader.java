package org.cover4j.data;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Finds a preset's files under a data folder, splits them and builds the per-split data sets. */
final class PresetLoader {
    static final String MANIFEST = "manifest.csv";
    private static final long LABEL_FRACTION_STREAM = 7;

    private PresetLoader() {}

    static PresetData open(Preset p, Path dir, long seed) {
        if (!Files.isDirectory(dir)) {
            throw CoverException.file(dir, "data folder does not exist; preset " + p.name() + " expects "
                    + p.layout().describe().replace("`", "'"));
        }
        Path manifest = dir.resolve(MANIFEST);
        List<Entry> entries = Files.isRegularFile(manifest) ? Manifest.read(manifest).entries() : scan(p, dir);
        if (entries.isEmpty()) {
            throw CoverException.file(dir, "no files match the layout of preset " + p.name() + ": "
                    + p.layout().describe().replace("`", "'") + " (or put a " + MANIFEST + " there)");
        }
        Map<Split, List<Entry>> parts = split(p, entries, seed);
        List<Entry> train = parts.get(Split.TRAIN);
        if (p.labelFraction() < 1 && p.task() != Preset.Task.PRETRAIN && !train.isEmpty()) {
            train = Splits.labelFraction(train, Entry::classIndex, p.labelFraction(),
                    new Rng(seed).derive(LABEL_FRACTION_STREAM));
        }
        return new PresetData(p, build(p, train), build(p, parts.get(Split.VAL)), build(p, parts.get(Split.TEST)));
    }

    /** Split given by the data where present (a missing val part is carved from train); seeded otherwise. */
    private static Map<Split, List<Entry>> split(Preset p, List<Entry> entries, long seed) {
        Map<Split, List<Entry>> parts = new EnumMap<>(Split.class);
        for (Split s : Split.values()) parts.put(s, new ArrayList<>());
        boolean given = entries.stream().anyMatch(e -> e.split() != null);
        if (given) {
            for (Entry e : entries) parts.get(e.split() == null ? Split.TRAIN : e.split()).add(e);
            List<Entry> train = parts.get(Split.TRAIN);
            if (parts.get(Split.VAL).isEmpty() && p.valFraction() > 0 && train.size() > 1) {
                int nVal = (int) Math.max(1, Math.round(train.size() * p.valFraction()));
                Splits.Indices ix = Splits.byCounts(train.size(), Math.min(nVal, train.size() - 1), 0, seed);
                List<Entry> keep = new ArrayList<>();
                for (int i : ix.train()) keep.add(train.get(i));
                for (int i : ix.val()) parts.get(Split.VAL).add(train.get(i).withSplit(Split.VAL));
                parts.put(Split.TRAIN, keep);
            }
        } else {
            Splits.Indices ix = Splits.byFractions(entries.size(), p.valFraction(), p.testFraction(), seed);
            for (Split s : Split.values()) for (int i : ix.of(s)) parts.get(s).add(entries.get(i).withSplit(s));
        }
        return parts;
    }

    private static Dataset build(Preset p, List<Entry> entries) {
        Dataset files = new FileDataset(entries).map(p.preprocess()::prepare);
        if (p.sliceAxis() < 0) return files;
        return new SliceSource(files, p.sliceAxis(), SliceSource.Skip.EMPTY_LABEL).map(p.preprocess()::fit);
    }

    /** The entries the layout finds under {@code dir}. */
    static List<Entry> scan(Preset p, Path dir) {
        Layout l = p.layout();
        if (l.classTable() != null) return scanClassTable(p, dir);
        List<Entry> out = new ArrayList<>();
        List<Split> splits = l.images().contains("{split}") ? List.of(Split.values()) : java.util.Arrays.asList((Split) null);
        boolean byClass = l.images().contains("{class}");
        for (Split s : splits) {
            int nClasses = byClass ? p.classNames().size() : 1;
            for (int k = 0; k < nClasses; k++) {
                String cls = byClass ? p.classNames().get(k) : null;
                String imgGlob = fill(l.images(), s, cls);
                List<Path> images = Glob.list(dir, imgGlob);
                if (l.labels() != null) {
                    List<Path> labels = Glob.list(dir, fill(l.labels(), s, cls));
                    for (Entry e : PairedFolder.pair(images, labels, l.imageSuffix(), l.labelSuffix(),
                            dir.resolve(imgGlob), dir.resolve(fill(l.labels(), s, cls)))) {
                        out.add(e.withSplit(s));
                    }
                } else {
                    for (Path f : images) {
                        out.add(new Entry(ImageFolder.relativeId(dir, f), f, null,
                                byClass ? k : Sample.NO_CLASS, s));
                    }
                }
            }
        }
        return out;
    }

    private static String fill(String pattern, Split s, String cls) {
        String r = pattern;
        if (s != null) r = r.replace("{split}", s.key());
        if (cls != null) r = r.replace("{class}", cls);
        return r;
    }

    /** Ids and classes from a CSV table; image paths from the pattern with {id}. */
    private static List<Entry> scanClassTable(Preset p, Path dir) {
        Layout l = p.layout();
        Path table = dir.resolve(l.classTable());
        List<Csv.Row> rows = Csv.read(table);
        if (rows.isEmpty()) throw CoverException.file(table, "empty class table");
        List<String> header = rows.get(0).fields();
        int idCol = header.indexOf(l.idColumn());
        int clsCol = header.indexOf(l.classColumn());
        if (idCol < 0 || clsCol < 0) {
            throw CoverException.file(table, "expected columns '" + l.idColumn() + "' and '" + l.classColumn()
                    + "', found " + header);
        }
        List<Entry> out = new ArrayList<>();
        for (Csv.Row r : rows.subList(1, rows.size())) {
            String where = "line " + r.line() + ": ";
            if (r.fields().size() != header.size()) {
                throw CoverException.file(table, where + "expected " + header.size() + " fields, found " + r.fields().size());
            }
            String id = r.fields().get(idCol);
            int cls;
            try {
                double v = Double.parseDouble(r.fields().get(clsCol));
                cls = (int) v;
                if (v != cls || cls < 0 || cls >= p.numClasses()) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw CoverException.file(table, where + "class '" + r.fields().get(clsCol) + "' is not an integer in 0.."
                        + (p.numClasses() - 1));
            }
            Path image = dir.resolve(l.images().replace("{id}", id));
            if (!Files.isRegularFile(image)) throw CoverException.file(table, where + "image not found: " + image);
            out.add(new Entry(id, image, null, cls, null));
        }
        return out;
    }
}

package org.cover4j.data;

/** The data sets of a preset opened on a data folder, one per split (possibly empty). */
public record PresetData(Preset preset, Dataset train, Dataset val, Dataset test) {
    public Dataset get(Split s) {
        return switch (s) {
            case TRAIN -> train;
            case VAL -> val;
            case TEST -> test;
        };
    }
}

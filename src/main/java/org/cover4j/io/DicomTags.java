package org.cover4j.io;

import java.util.Map;

/**
 * The DICOM tags the reader looks at, as {@code (group << 16) | element}, with the value
 * representation each has in the standard. Implicit-VR files carry no VR, so the reader takes it from
 * here; tags not listed stay without a VR (their bytes are kept, never interpreted).
 */
final class DicomTags {
    private DicomTags() {}

    static final int TRANSFER_SYNTAX = 0x0002_0010;
    static final int SOP_CLASS = 0x0008_0016;
    static final int MODALITY = 0x0008_0060;
    static final int SERIES_DESCRIPTION = 0x0008_103E;
    static final int SLICE_THICKNESS = 0x0018_0050;
    static final int SPACING_BETWEEN_SLICES = 0x0018_0088;
    static final int IMAGER_PIXEL_SPACING = 0x0018_1164;
    static final int SERIES_UID = 0x0020_000E;
    static final int INSTANCE_NUMBER = 0x0020_0013;
    static final int IMAGE_POSITION = 0x0020_0032;
    static final int IMAGE_ORIENTATION = 0x0020_0037;
    static final int PLANE_POSITION_SEQ = 0x0020_9113;
    static final int PLANE_ORIENTATION_SEQ = 0x0020_9116;
    static final int SAMPLES_PER_PIXEL = 0x0028_0002;
    static final int PHOTOMETRIC = 0x0028_0004;
    static final int PLANAR_CONFIGURATION = 0x0028_0006;
    static final int NUMBER_OF_FRAMES = 0x0028_0008;
    static final int ROWS = 0x0028_0010;
    static final int COLUMNS = 0x0028_0011;
    static final int PIXEL_SPACING = 0x0028_0030;
    static final int BITS_ALLOCATED = 0x0028_0100;
    static final int BITS_STORED = 0x0028_0101;
    static final int HIGH_BIT = 0x0028_0102;
    static final int PIXEL_REPRESENTATION = 0x0028_0103;
    static final int RESCALE_INTERCEPT = 0x0028_1052;
    static final int RESCALE_SLOPE = 0x0028_1053;
    static final int PIXEL_MEASURES_SEQ = 0x0028_9110;
    static final int PIXEL_VALUE_TRANSFORM_SEQ = 0x0028_9145;
    static final int GRID_FRAME_OFFSETS = 0x3004_000C;
    static final int SHARED_GROUPS_SEQ = 0x5200_9229;
    static final int PER_FRAME_GROUPS_SEQ = 0x5200_9230;
    static final int FLOAT_PIXEL_DATA = 0x7FE0_0008;
    static final int DOUBLE_PIXEL_DATA = 0x7FE0_0009;
    static final int PIXEL_DATA = 0x7FE0_0010;

    static final int ITEM = 0xFFFE_E000;
    static final int ITEM_DELIMITER = 0xFFFE_E00D;
    static final int SEQUENCE_DELIMITER = 0xFFFE_E0DD;

    /** Value representations of the listed tags (used for implicit-VR data sets). */
    static final Map<Integer, String> VR = Map.ofEntries(
            Map.entry(TRANSFER_SYNTAX, "UI"), Map.entry(SOP_CLASS, "UI"), Map.entry(MODALITY, "CS"),
            Map.entry(SERIES_DESCRIPTION, "LO"), Map.entry(SLICE_THICKNESS, "DS"),
            Map.entry(SPACING_BETWEEN_SLICES, "DS"), Map.entry(IMAGER_PIXEL_SPACING, "DS"),
            Map.entry(SERIES_UID, "UI"), Map.entry(INSTANCE_NUMBER, "IS"), Map.entry(IMAGE_POSITION, "DS"),
            Map.entry(IMAGE_ORIENTATION, "DS"), Map.entry(PLANE_POSITION_SEQ, "SQ"),
            Map.entry(PLANE_ORIENTATION_SEQ, "SQ"), Map.entry(SAMPLES_PER_PIXEL, "US"),
            Map.entry(PHOTOMETRIC, "CS"), Map.entry(PLANAR_CONFIGURATION, "US"),
            Map.entry(NUMBER_OF_FRAMES, "IS"), Map.entry(ROWS, "US"), Map.entry(COLUMNS, "US"),
            Map.entry(PIXEL_SPACING, "DS"), Map.entry(BITS_ALLOCATED, "US"), Map.entry(BITS_STORED, "US"),
            Map.entry(HIGH_BIT, "US"), Map.entry(PIXEL_REPRESENTATION, "US"),
            Map.entry(RESCALE_INTERCEPT, "DS"), Map.entry(RESCALE_SLOPE, "DS"),
            Map.entry(PIXEL_MEASURES_SEQ, "SQ"), Map.entry(PIXEL_VALUE_TRANSFORM_SEQ, "SQ"),
            Map.entry(GRID_FRAME_OFFSETS, "DS"), Map.entry(SHARED_GROUPS_SEQ, "SQ"),
            Map.entry(PER_FRAME_GROUPS_SEQ, "SQ"), Map.entry(FLOAT_PIXEL_DATA, "OF"),
            Map.entry(DOUBLE_PIXEL_DATA, "OD"), Map.entry(PIXEL_DATA, "OW"));

    /** "(gggg,eeee)" as DICOM tools print a tag. */
    static String name(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}

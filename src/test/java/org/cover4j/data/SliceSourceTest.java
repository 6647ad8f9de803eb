package org.cover4j.data;

import org.cover4j.io.Image;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SliceSourceTest {

    /** A 2x3x4 volume whose slices along axis 2 are: k=0 constant, k=1..3 varying; label only in k=2. */
    private static Dataset volumes() {
        float[] img = new float[24];
        float[] lab = new float[24];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
            int v = (i * 3 + j) * 4 + k;
            img[v] = k == 0 ? 5 : v;
            lab[v] = k == 2 && i == 1 ? 3 : 0;
        }
        Sample s = Sample.segmentation("vol", Image.of(img, 2, 3, 4), Image.of(lab, 2, 3, 4));
        return Dataset.of(List.of(s));
    }

    @Test
    void allSlicesWithValuesAndIds() {
        SliceSource src = new SliceSource(volumes(), 2, SliceSource.Skip.NONE);
        assertEquals(4, src.size());
        Sample s = src.get(3);
        assertEquals("vol_ax2_003", s.id());
        assertEquals("vol_ax2_003", src.id(3));
        assertArrayEquals(new int[] {2, 3}, s.image().shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) assertEquals((i * 3 + j) * 4 + 3, s.image().data()[i * 3 + j]);
        assertNotNull(s.label());
    }

    @Test
    void skipsEmptySlices() {
        SliceSource noConstant = new SliceSource(volumes(), 2, SliceSource.Skip.EMPTY_IMAGE);
        assertEquals(3, noConstant.size());
        assertEquals(1, noConstant.sliceIndex(0));
        SliceSource labelled = new SliceSource(volumes(), 2, SliceSource.Skip.EMPTY_LABEL);
        assertEquals(1, labelled.size());
        assertEquals(2, labelled.sliceIndex(0));
        assertEquals(3f, labelled.get(0).label().data()[3]); // (i=1, j=0)
        assertEquals(0, labelled.volumeIndex(0));
    }

    @Test
    void otherAxes() {
        assertEquals(2, new SliceSource(volumes(), 0, SliceSource.Skip.NONE).size());
        assertArrayEquals(new int[] {2, 4}, new SliceSource(volumes(), 1, SliceSource.Skip.NONE).get(0).image().shape());
    }

    @Test
    void refusesNonVolumesAndBadAxes() {
        Dataset flat = Dataset.of(List.of(Sample.unlabeled("p", Image.of(new float[4], 2, 2))));
        assertThrows(CoverException.class, () -> new SliceSource(flat, 0, SliceSource.Skip.NONE));
        assertThrows(CoverException.class, () -> new SliceSource(volumes(), 3, SliceSource.Skip.NONE));
    }

    @Test
    void datasetWrappers() {
        Dataset d = Dataset.of(List.of(Sample.classification("a", Image.of(new float[1], 1), 1),
                Sample.classification("b", Image.of(new float[1], 1), 0)));
        assertEquals("b", d.subset(new int[] {1}).get(0).id());
        Dataset mapped = d.map(s -> s.with(Normalization.divide(2).apply(s.image()), null));
        assertEquals(1, mapped.get(0).classIndex());
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {2}));
        int[] loads = {0};
        Dataset counting = new Dataset() {
            @Override public int size() { return 2; }
            @Override public Sample get(int i) { loads[0]++; return d.get(i); }
        };
        Dataset cached = counting.cached();
        cached.get(0);
        cached.get(0);
        cached.get(1);
        assertEquals(2, loads[0]);
        assertSame(cached, cached.cached());
    }
}

package org.cover4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatisticsTest {
    private static final double[] X = {1, 2, 3, 4, 5, 6, 7, 8};
    private static final double[] Y = {3, 1, 4, 1, 5, 9, 2, 6};

    @Test
    void meanSdAndNumpyPercentile() {
        assertEquals(31.0 / 8, Statistics.mean(Y), 1e-15);
        // numpy 2.4: np.std(Y, ddof=1) = 2.748376143938713
        assertEquals(2.748376143938713, Statistics.sd(Y), 1e-14);
        // numpy: np.percentile(Y, 95) = 7.95 (rank 6.65 between 6 and 9), np.percentile(Y, 37) = 2.59
        assertEquals(7.95, Statistics.percentile(Y, 95), 1e-12);
        assertEquals(2.59, Statistics.percentile(Y, 37), 1e-12);
        assertEquals(1.0, Statistics.percentile(Y, 0));
        assertEquals(9.0, Statistics.percentile(Y, 100));
    }

    @Test
    void medianAndSeveralPercentilesAtOnce() {
        // numpy: np.median(Y) = 3.5 (mean of 3 and 4); an odd count takes the middle value.
        assertEquals(3.5, Statistics.median(Y), 1e-15);
        assertEquals(4.0, Statistics.median(new double[] {9, 4, 1}), 1e-15);
        assertArrayEquals(new double[] {2.59, 3.5, 7.95}, Statistics.percentiles(Y, 37, 50, 95), 1e-12);
        assertTrue(Double.isNaN(Statistics.median(new double[0])));
        assertArrayEquals(new double[] {3, 1, 4, 1, 5, 9, 2, 6}, Y, "the input is not sorted in place");
    }

    @Test
    void histogramAsNumpy() {
        // np.histogram([0, 0.1, 0.25, 0.5, 0.74, 0.99, 1.0, -0.1, 1.2, nan], bins=4, range=(0, 1))
        // = [2, 1, 2, 2]: 0.25 opens the second bin, 1.0 closes the last, outside values and NaN are not counted.
        double[] v = {0, 0.1, 0.25, 0.5, 0.74, 0.99, 1.0, -0.1, 1.2, Double.NaN};
        assertArrayEquals(new long[] {2, 1, 2, 2}, Statistics.histogram(v, 0, 1, 4));
    }

    @Test
    void pearsonPValueMatchesIntegratedTDensity() {
        Statistics.Correlation c = Statistics.pearson(X, Y);
        // scipy.stats.pearsonr: r = 0.47745526055942267, p = 0.23151983207369461. Independently, integrating the
        // Student-t density (6 df) with numpy's trapezoid rule on 200001 points from 0 to |t| gives
        // p = 1 - 2 * integral = 0.231519832075064.
        assertEquals(0.47745526055942267, c.r(), 1e-14);
        assertEquals(0.231519832075064, c.p(), 1e-10);
        assertEquals(8, c.n());
        Statistics.Correlation strong = Statistics.pearson(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                new double[] {1.2, 1.9, 3.4, 3.8, 5.1, 6.3, 6.8, 8.4, 8.7, 10.2});
        // scipy.stats.pearsonr: r = 0.9962596906499683, p = 8.524276657495236e-10
        assertEquals(0.9962596906499683, strong.r(), 1e-14);
        assertEquals(8.524276657495236e-10, strong.p(), 1e-18);
    }

    @Test
    void spearmanWithTies() {
        double[] x = {1, 2, 2, 3, 5, 4, 7, 7, 9, 10};
        double[] y = {2, 1, 3, 3, 6, 5, 5, 8, 9, 7};
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4, 6, 5, 7.5, 7.5, 9, 10}, Statistics.ranks(x), 0);
        Statistics.Correlation c = Statistics.spearman(x, y);
        // scipy.stats.spearmanr: statistic = 0.8957055214723928, pvalue = 0.0004556242102310209
        assertEquals(0.8957055214723928, c.r(), 1e-14);
        assertEquals(0.0004556242102310209, c.p(), 1e-12);
    }

    @Test
    void degenerateCorrelations() {
        assertTrue(Double.isNaN(Statistics.pearson(new double[] {1, 1, 1}, new double[] {1, 2, 3}).r()));
        Statistics.Correlation perfect = Statistics.pearson(new double[] {1, 2, 3, 4}, new double[] {2, 4, 6, 8});
        assertEquals(1.0, perfect.r(), 1e-15);
        assertEquals(0.0, perfect.p());
        assertTrue(Double.isNaN(Statistics.pearson(new double[] {1, 2}, new double[] {2, 1}).p()));
    }

    @Test
    void incompleteBetaKnownValues() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_0.5(a, a) = 0.5 by symmetry.
        assertEquals(0.3, SpecialFunctions.regularizedIncompleteBeta(1, 1, 0.3), 1e-14);
        assertEquals(Math.pow(0.7, 3.5), SpecialFunctions.regularizedIncompleteBeta(3.5, 1, 0.7), 1e-14);
        assertEquals(0.5, SpecialFunctions.regularizedIncompleteBeta(7.3, 7.3, 0.5), 1e-14);
        // ln Γ(10) = ln 362880
        assertEquals(Math.log(362880), SpecialFunctions.logGamma(10), 1e-12);
        assertEquals(Math.log(Math.sqrt(Math.PI)), SpecialFunctions.logGamma(0.5), 1e-14);
    }

    @Test
    void pairedTMatchesAHandComputationAndScipy() {
        // Differences 0.04, -0.01, 0.08, 0.08, 0.05: mean 0.048, sd 0.037014; t = 0.048 / (0.037014 / sqrt 5) = 2.89979;
        // scipy.stats.ttest_rel gives t 2.8997860479848505, p 0.04412741532805894.
        Statistics.Paired p = Statistics.pairedT(new double[] {0.61, 0.55, 0.70, 0.58, 0.66}, new double[] {0.57, 0.56, 0.62, 0.50, 0.61});
        assertEquals(0.048, p.meanDiff(), 1e-12);
        assertEquals(0.03701351104664348, p.sdDiff(), 1e-12);
        assertEquals(2.8997860479848505, p.t(), 1e-9);
        assertEquals(0.04412741532805894, p.p(), 1e-9);
        assertEquals(5, p.n());
        assertTrue(Double.isNaN(Statistics.pairedT(new double[] {1, 2}, new double[] {0, 1}).p()), "constant differences: no test");
    }

    @Test
    void signTestIsTheExactBinomialTail() {
        // 2 of 10 better: 2 * (C(10,0) + C(10,1) + C(10,2)) / 2^10 = 2 * 56 / 1024 (scipy binomtest(2, 10).pvalue 0.109375).
        assertEquals(0.109375, Statistics.signTest(2, 8), 1e-12);
        assertEquals(0.109375, Statistics.signTest(8, 2), 1e-12);
        // 10 of 10: 2 / 1024; 29 of 40 (the README's Colin27 row): exactly 2 * sum C(40, i), i <= 11, over 2^40
        assertEquals(2.0 / 1024, Statistics.signTest(10, 0), 1e-15);
        assertEquals(0.006426576095691416, Statistics.signTest(29, 11), 1e-12);
        assertEquals(1.0, Statistics.signTest(5, 5), 0);
        assertEquals(1.0, Statistics.signTest(0, 0), 0);
    }
}

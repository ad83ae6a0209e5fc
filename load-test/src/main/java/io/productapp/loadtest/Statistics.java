package io.productapp.loadtest;

/** Small statistics the reports need. */
final class Statistics {

    /** z for a two-sided 95% interval. */
    static final double Z95 = 1.959963984540054;

    private Statistics() {
    }

    /**
     * Wilson score interval of a proportion {@code successes/n} at 95%, as fractions
     * ([0,1] when n is 0). Unlike the normal approximation it stays inside [0,1] and behaves
     * with few samples and shares near 0 or 100%.
     */
    static double[] wilson(long successes, long n) {
        if (n == 0) {
            return new double[] { 0, 1 };
        }
        double p = (double) successes / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
        return new double[] { Math.max(0, centre - half), Math.min(1, centre + half) };
    }
}

package dev.catsdogs.trainer.quantize;

import java.nio.FloatBuffer;

/**
 * What calibration saw of one activation: its extremes (first pass) and a histogram of its values
 * between them (second pass), from which the {@link RangeMethod}s derive their ranges.
 */
public final class TensorStatistics {

    /** Histogram resolution: 2048 bins, as ONNX Runtime's own calibrators use. */
    static final int BINS = 2048;

    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long[] histogram;

    /** First pass: widen the extremes to cover {@code values}. */
    void observeExtremes(FloatBuffer values) {
        for (int i = values.position(); i < values.limit(); i++) {
            float v = values.get(i);
            if (Float.isNaN(v)) {
                throw new IllegalStateException("calibration: the float model computed NaN");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
    }

    /** Second pass: count {@code values} into bins spanning the extremes of the first pass. */
    void observeHistogram(FloatBuffer values) {
        if (histogram == null) {
            histogram = new long[BINS];
        }
        double width = binWidth();
        for (int i = values.position(); i < values.limit(); i++) {
            int bin = (int) ((values.get(i) - min) / width);
            histogram[Math.max(0, Math.min(BINS - 1, bin))]++;
        }
    }

    public float min() {
        return min;
    }

    public float max() {
        return max;
    }

    /**
     * The value below which {@code fraction} of the observed values lie, from the histogram (the
     * upper edge of the bin where the cumulative count reaches it).
     */
    public float quantile(double fraction) {
        if (histogram == null) {
            throw new IllegalStateException("no histogram: the second pass did not run");
        }
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        double target = fraction * total;
        long cumulative = 0;
        for (int b = 0; b < BINS; b++) {
            cumulative += histogram[b];
            if (cumulative >= target) {
                return (float) Math.min(max, min + (b + 1) * binWidth());
            }
        }
        return max;
    }

    private double binWidth() {
        double width = ((double) max - min) / BINS;
        return width > 0 ? width : 1;
    }
}

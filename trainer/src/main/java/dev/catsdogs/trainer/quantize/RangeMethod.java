package dev.catsdogs.trainer.quantize;

/** How an activation's calibration statistics become the range it is quantized over. */
public enum RangeMethod {
    /** Every value seen is representable: no clipping, the coarsest steps. */
    MIN_MAX {
        @Override
        public TensorRange range(TensorStatistics s) {
            return new TensorRange(s.min(), s.max());
        }
    },
    /**
     * The 0.01% most extreme values at each end saturate, for finer steps over the rest (the
     * percentile calibration of McKinstry et al. 2018, as ONNX Runtime's calibrators offer it).
     */
    PERCENTILE {
        @Override
        public TensorRange range(TensorStatistics s) {
            return new TensorRange(s.quantile(1 - KEPT), s.quantile(KEPT));
        }
    };

    /** Fraction of values kept inside the range by {@link #PERCENTILE}. */
    static final double KEPT = 0.9999;

    /** The range of one activation. */
    public abstract TensorRange range(TensorStatistics statistics);

    /** For the model card and metadata: {@code minmax} or {@code percentile-99.99}. */
    public String describe() {
        return this == MIN_MAX ? "minmax" : "percentile-" + (KEPT * 100);
    }
}

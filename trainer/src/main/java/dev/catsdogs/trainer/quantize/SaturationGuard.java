package dev.catsdogs.trainer.quantize;

/**
 * Which Conv and Gemm weights are quantized to 7 bits ([-63, 63]) instead of 8 ([-127, 127]).
 *
 * <p>Why: on x86 CPUs without VNNI (AVX2, AVX-512 without VNNI) ONNX Runtime's uint8 x int8 kernels
 * multiply with VPMADDUBSW, which adds two adjacent uint8 x int8 products into a saturating int16.
 * Two products of 255 x 127 exceed 32767 and are clipped, so the integer kernels compute a
 * different convolution than the QDQ graph states. With weights in [-63, 63] a pair is at most 255
 * x 126 = 32130 and never saturates. Activations are most exposed where real 0 is not uint8 0 (the
 * image input, the projection and residual outputs: every value sits near the zero point, ~128);
 * ReLU6 outputs (zero point 0) are mostly small. Which guard is enough is measured, not assumed:
 * {@link Int8Export} picks one on held-out training images with the fused kernels of the CPU it
 * runs on.
 */
public enum SaturationGuard {
    /** 8-bit weights everywhere: exact on VNNI CPUs and ARM, where no int16 intermediate exists. */
    NONE,
    /**
     * 7-bit weights for layers whose input has a nonzero zero point (after ORT's int8 to uint8
     * shift).
     */
    OFFSET_INPUTS,
    /** 7-bit weights everywhere (ONNX Runtime's {@code reduce_range}). */
    ALL;

    static final int FULL = 127;
    static final int REDUCED = 63;

    /**
     * The largest weight level of a layer.
     *
     * @param inputZeroPoint the zero point of the layer's input activation
     * @param type the activation type (int8 activations run as uint8 shifted by 128 on x86)
     */
    int weightMax(int inputZeroPoint, ActivationType type) {
        boolean offset = inputZeroPoint != type.min();
        return switch (this) {
            case NONE -> FULL;
            case OFFSET_INPUTS -> offset ? REDUCED : FULL;
            case ALL -> REDUCED;
        };
    }

    /** For the model card and metadata: {@code none}, {@code offset-inputs} or {@code all}. */
    public String describe() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

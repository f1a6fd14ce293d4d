package dev.catsdogs.trainer.quantize;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Conv and Gemm layers get 7-bit weights ([-63, 63]) instead of 8-bit ones ([-127, 127]).
 *
 * <p>Why: on x86 CPUs without VNNI (AVX2, AVX-512 without VNNI) ONNX Runtime's uint8 x int8 kernels
 * multiply with VPMADDUBSW, which adds two adjacent uint8 x int8 products into a saturating int16.
 * Two products of 255 x 127 exceed 32767 and are clipped, so the integer kernels compute a
 * different convolution than the QDQ graph states. With weights in [-63, 63] a pair is at most 255
 * x 126 = 32130 and never saturates, at the price of one bit of weight precision. Layers whose
 * input has a nonzero zero point (the image, the projection and residual outputs: every value sits
 * near ~128) are the most exposed, so they are the starting point; {@link Int8Export} then decides
 * layer by layer, on held-out training images run with the fused kernels of this CPU, since both
 * the saturation and the cost of the lost bit depend on the weights and the data.
 *
 * @param reducedLayers names of the layers with 7-bit weights
 */
public record SaturationGuard(Set<String> reducedLayers) {

    static final int FULL = 127;
    static final int REDUCED = 63;

    public SaturationGuard {
        reducedLayers = Set.copyOf(reducedLayers);
    }

    /** 8-bit weights everywhere: exact on VNNI CPUs and ARM, where no int16 intermediate exists. */
    public static SaturationGuard none() {
        return new SaturationGuard(Set.of());
    }

    /**
     * 7-bit weights for the layers whose input has a nonzero zero point (after ONNX Runtime's int8
     * to uint8 shift on x86).
     *
     * @param inputZeroPoints the zero point of each layer's input activation, by layer name
     * @param type the activation type
     */
    public static SaturationGuard offsetInputs(
            Map<String, Integer> inputZeroPoints, ActivationType type) {
        Set<String> reduced = new TreeSet<>();
        inputZeroPoints.forEach(
                (layer, zeroPoint) -> {
                    if (zeroPoint != type.min()) {
                        reduced.add(layer);
                    }
                });
        return new SaturationGuard(reduced);
    }

    /** This guard with {@code layer} switched between 7 and 8 bits. */
    SaturationGuard toggled(String layer) {
        Set<String> reduced = new TreeSet<>(reducedLayers);
        if (!reduced.remove(layer)) {
            reduced.add(layer);
        }
        return new SaturationGuard(reduced);
    }

    /** The largest weight level of {@code layer}. */
    int weightMax(String layer) {
        return reducedLayers.contains(layer) ? REDUCED : FULL;
    }

    /** For the model card and metadata: {@code 17 layers: Conv1, block_1_expand, ...}. */
    public String describe() {
        return reducedLayers.isEmpty()
                ? "none"
                : reducedLayers.size()
                        + " layers: "
                        + String.join(", ", new TreeSet<>(reducedLayers));
    }
}

package dev.catsdogs.trainer.quantize;

import ai.onnx.proto.OnnxMl;
import java.util.Arrays;
import java.util.Locale;

/**
 * The integer type of the activations between layers; weights are always int8. ONNX Runtime names
 * the pairs U8S8 and S8S8 (activation type, weight type).
 */
public enum ActivationType {
    /** uint8 activations, int8 weights: what x86 integer kernels (VPMADDUBSW, VNNI) consume. */
    U8S8(OnnxMl.TensorProto.DataType.UINT8_VALUE, 0, 255),
    /** int8 activations and weights: ONNX Runtime's default QDQ choice, native on ARM. */
    S8S8(OnnxMl.TensorProto.DataType.INT8_VALUE, -128, 127);

    private final int onnxType;
    private final int min;
    private final int max;

    ActivationType(int onnxType, int min, int max) {
        this.onnxType = onnxType;
        this.min = min;
        this.max = max;
    }

    /** The ONNX {@code TensorProto.DataType} of the zero points and quantized activations. */
    public int onnxType() {
        return onnxType;
    }

    /** The smallest level: the zero point of a tensor whose real minimum is 0. */
    int min() {
        return min;
    }

    /** Scale and zero point that map {@code range} (widened to contain 0) onto the full type. */
    public QuantParams params(TensorRange range) {
        // Real 0 must be exactly representable (zero padding, ReLU), so the range contains it.
        double lo = Math.min(0, range.min());
        double hi = Math.max(0, range.max());
        float scale = (float) ((hi - lo) / (max - min));
        if (!(scale > 0) || !Float.isFinite(scale)) {
            scale = 1f; // an all-zero tensor: any scale represents it
        }
        long zero = Math.round(min - lo / scale);
        return new QuantParams(scale, (int) Math.max(min, Math.min(max, zero)));
    }

    /** Parses {@code U8S8} or {@code S8S8}, in any case. */
    public static ActivationType parse(String value) {
        for (ActivationType t : values()) {
            if (t.name().equals(value.toUpperCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "Received '" + value + "'; expected one of " + Arrays.toString(values()));
    }
}

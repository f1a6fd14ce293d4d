package dev.catsdogs.trainer.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.catsdogs.trainer.onnx.OnnxProtos;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Per-channel weight quantization and the bias correction, against the float arithmetic. */
class QuantizedWeightTest {

    private final Random random = new Random(7);

    private float[] randoms(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    @Test
    void levelsUseTheFullRangeOfEachOutputChannel() {
        float[] w = {0.5f, -1f, 0.25f, 0.001f, 0.002f, -0.004f}; // [2 outputs, 3 inputs, 1, 1]
        QuantizedWeight q = QuantizedWeight.of(OnnxProtos.floatTensor("w", w, 2, 3, 1, 1), 0, 127);
        assertEquals(1f / 127, q.scales()[0], 1e-9);
        assertEquals(0.004f / 127, q.scales()[1], 1e-9);
        assertEquals(-127, q.levels()[1]);
        assertEquals(-127, q.levels()[5]);
        assertEquals(64, q.levels()[0]); // 0.5 * 127 = 63.5 rounds up
    }

    /**
     * For an input equal to its channel means everywhere, the quantized layer with the corrected
     * bias computes what the float layer computes: the mean shift of the rounding is gone.
     */
    @Test
    void correctedBiasRemovesTheMeanShiftOfConvDepthwiseAndGemmWeights() {
        // Conv [4, 6, 3, 3], group 1
        checkConv(4, 6, 1, 9, 63);
        // Depthwise [6, 1, 3, 3], group 6
        checkConv(6, 6, 6, 9, 127);
        // Grouped [4, 3, 1, 1], group 2 (6 inputs)
        checkConv(4, 6, 2, 1, 127);
        // Gemm [in=5, out=3] (transB = 0: output channels on axis 1) and [out=3, in=5]
        checkGemm(5, 3, 1);
        checkGemm(5, 3, 0);
    }

    private void checkConv(int outputs, int inputs, int group, int kernel, int weightMax) {
        int perOutput = inputs / group * kernel;
        float[] w = randoms(outputs * perOutput);
        float[] bias = randoms(outputs);
        float[] means = randoms(inputs);
        long side = (long) Math.sqrt(kernel);
        OnnxMl.TensorProto t = OnnxProtos.floatTensor("w", w, outputs, inputs / group, side, side);
        QuantizedWeight q = QuantizedWeight.of(t, 0, weightMax);
        float[] corrected = q.correctedBias(bias, w, means, group, false);
        for (int o = 0; o < outputs; o++) {
            double exact = bias[o];
            double quantized = corrected[o];
            for (int j = 0; j < perOutput; j++) {
                int input = (o / (outputs / group)) * (inputs / group) + j / kernel;
                exact += w[o * perOutput + j] * means[input];
                quantized += q.levels()[o * perOutput + j] * q.scales()[o] * means[input];
            }
            assertEquals(exact, quantized, 1e-5, "output channel " + o);
        }
        assertTrue(differs(bias, corrected), "rounding shifted the mean");
    }

    private void checkGemm(int inputs, int outputs, int axis) {
        float[] w = randoms(inputs * outputs);
        float[] bias = randoms(outputs);
        float[] means = randoms(inputs);
        OnnxMl.TensorProto t =
                axis == 1
                        ? OnnxProtos.floatTensor("w", w, inputs, outputs)
                        : OnnxProtos.floatTensor("w", w, outputs, inputs);
        QuantizedWeight q = QuantizedWeight.of(t, axis, 127);
        float[] corrected = q.correctedBias(bias, w, means, 1, true);
        for (int o = 0; o < outputs; o++) {
            double exact = bias[o];
            double quantized = corrected[o];
            for (int i = 0; i < inputs; i++) {
                int index = axis == 1 ? i * outputs + o : o * inputs + i;
                exact += w[index] * means[i];
                quantized += q.levels()[index] * q.scales()[o] * means[i];
            }
            assertEquals(exact, quantized, 1e-5, "output " + o + " (axis " + axis + ")");
        }
    }

    private static boolean differs(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return true;
            }
        }
        return false;
    }
}

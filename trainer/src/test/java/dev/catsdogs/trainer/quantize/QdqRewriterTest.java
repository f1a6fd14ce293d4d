package dev.catsdogs.trainer.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Quantization parameters and what the rewriter refuses. */
class QdqRewriterTest {

    @Test
    void relu6RangeMapsZeroToAWholeLevelAndSixToTheTop() {
        QuantParams u8 = ActivationType.U8S8.params(new TensorRange(0, 6));
        assertEquals(0, u8.zeroPoint());
        assertEquals(6f, u8.scale() * 255, 1e-6);
        QuantParams s8 = ActivationType.S8S8.params(new TensorRange(0, 6));
        assertEquals(-128, s8.zeroPoint());
        assertEquals(6f, s8.scale() * (127 - -128), 1e-6);
    }

    @Test
    void rangeWithoutZeroIsWidenedToContainIt() {
        QuantParams p = ActivationType.U8S8.params(new TensorRange(2, 4));
        assertEquals(0, p.zeroPoint());
        assertEquals(4f / 255, p.scale(), 1e-7);
        QuantParams symmetric = ActivationType.U8S8.params(new TensorRange(-1, 1));
        assertEquals(127, symmetric.zeroPoint()); // 1 / (2f / 255) rounds to 127
    }

    @Test
    void saturationGuardStartsFromTheLayersWhoseInputHasAnOffset() {
        // uint8 input with zero point 128 (projection / residual output): the pair sum can
        // saturate;
        // ReLU6 output, zero point 0 (uint8) or -128 (int8, shifted to uint8 0 on x86): mostly not
        Map<String, Integer> zeroPoints = new java.util.LinkedHashMap<>();
        zeroPoints.put("stem", 128);
        zeroPoints.put("depthwise", 0);
        SaturationGuard u8 = SaturationGuard.offsetInputs(zeroPoints, ActivationType.U8S8);
        assertEquals(63, u8.weightMax("stem"));
        assertEquals(127, u8.weightMax("depthwise"));
        zeroPoints.put("depthwise", -128);
        SaturationGuard s8 = SaturationGuard.offsetInputs(zeroPoints, ActivationType.S8S8);
        assertEquals(java.util.Set.of("stem"), s8.reducedLayers());
        // a layer switches either way; the others keep their width
        SaturationGuard toggled = u8.toggled("stem").toggled("depthwise");
        assertEquals(127, toggled.weightMax("stem"));
        assertEquals(63, toggled.weightMax("depthwise"));
        assertEquals("1 layers: depthwise", toggled.describe());
        assertEquals("none", SaturationGuard.none().describe());
        // 7 bits: two products of 255 x 63 fit an int16, two of 255 x 127 do not
        assertTrue(2 * 255 * 63 <= Short.MAX_VALUE && 2 * 255 * 127 > Short.MAX_VALUE);
    }

    @Test
    void unsupportedNodeIsNamed() {
        OnnxMl.GraphProto graph =
                OnnxMl.GraphProto.newBuilder()
                        .addNode(
                                OnnxMl.NodeProto.newBuilder()
                                        .setOpType("BatchNormalization")
                                        .setName("Conv1_BN")
                                        .addInput("x")
                                        .addOutput("y"))
                        .build();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> QdqRewriter.calibratedActivations(graph));
        assertTrue(e.getMessage().contains("'Conv1_BN' is a BatchNormalization"), e.getMessage());
        OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder().setGraph(graph).build();
        assertThrows(
                IllegalArgumentException.class,
                () -> QdqRewriter.rewrite(model, Map.of(), ActivationType.U8S8));
    }

    @Test
    void percentileClipsOnlyTheTails() {
        TensorStatistics s = new TensorStatistics();
        float[] values = new float[100_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i / (float) values.length; // uniform on [0, 1)
        }
        values[0] = -50f; // one outlier at each end
        values[1] = 50f;
        s.observeExtremes(java.nio.FloatBuffer.wrap(values));
        s.observeHistogram(java.nio.FloatBuffer.wrap(values));
        assertEquals(-50f, RangeMethod.MIN_MAX.range(s).min());
        TensorRange p = RangeMethod.PERCENTILE.range(s);
        assertTrue(p.min() > -0.1f && p.min() < 0.1f, p.toString());
        assertTrue(p.max() > 0.9f && p.max() < 1.1f, p.toString());
    }
}

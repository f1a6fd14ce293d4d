package dev.catsdogs.bench;

import static dev.catsdogs.bench.TinyGraph.in;
import static dev.catsdogs.bench.TinyGraph.integer;
import static dev.catsdogs.bench.TinyGraph.ints;
import static dev.catsdogs.bench.TinyGraph.string;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MacCounterTest {

    /**
     * A MobileNet-shaped toy: [N,3,8,8] -> 3x3/2 conv (Keras pads 0,0,1,1) -> Clip -> depthwise 3x3
     * -> pointwise 1x1 -> GlobalAveragePool -> Flatten -> Gemm(transB). By hand:
     *
     * <ul>
     *   <li>stem: out 4x4 ((8 + 1 - 3) / 2 + 1), 4 channels, 3 x 3 x 3 each: 16 x 4 x 27 = 1728
     *   <li>depthwise (group 4, pads 1): out 4x4, 4 channels, 1 x 3 x 3 each: 16 x 4 x 9 = 576
     *   <li>pointwise 4 -> 8: 16 x 8 x 4 = 512
     *   <li>Gemm 8 -> 2: 16
     * </ul>
     */
    @Test
    void countsConvolutionsAndGemmByHand() {
        TinyGraph g =
                new TinyGraph()
                        .input("x", -1, 3, 8, 8)
                        .weight("w_stem", 4, 3, 3, 3)
                        .weight("w_dw", 4, 1, 3, 3)
                        .weight("w_pw", 8, 4, 1, 1)
                        .weight("w_fc", 2, 8)
                        .weight("b_fc", 2)
                        .node(
                                "Conv",
                                "stem",
                                in("x", "w_stem"),
                                ints("strides", 2, 2),
                                ints("pads", 0, 0, 1, 1))
                        .node("Clip", "stem_relu", in("stem"))
                        .node(
                                "Conv",
                                "dw",
                                in("stem_relu", "w_dw"),
                                integer("group", 4),
                                ints("pads", 1, 1, 1, 1))
                        .node("Add", "residual", in("dw", "stem_relu"))
                        .node("Conv", "pw", in("residual", "w_pw"))
                        .node("GlobalAveragePool", "pool", in("pw"))
                        .node("Flatten", "flat", in("pool"), integer("axis", 1))
                        .node("Gemm", "fc", in("flat", "w_fc", "b_fc"), integer("transB", 1));

        MacCounter.Count count = MacCounter.count(g.build());

        assertEquals(1728 + 576 + 512 + 16, count.total());
        assertEquals(Map.of("Conv", 1728L + 576 + 512, "Gemm", 16L), count.byOpType());
        assertArrayEquals(
                new long[] {1, 3, 8, 8}, count.inputShape(), "symbolic batch counts as 1");
        assertEquals(2 * count.total(), count.flops());
    }

    /**
     * Pad node (pads as an INT64 input) then a VALID conv: [1,1,5,5] -> 7x7 -> 5x5 x 2 x 9 = 450.
     */
    @Test
    void padNodeAndValidConv() {
        TinyGraph g =
                new TinyGraph()
                        .input("x", 1, 1, 5, 5)
                        .int64("pads", 0, 0, 1, 1, 0, 0, 1, 1)
                        .weight("w", 2, 1, 3, 3)
                        .node("Pad", "pad", in("x", "pads"))
                        .node("Conv", "conv", in("pad", "w"), string("auto_pad", "VALID"));
        assertEquals(25 * 2 * 9, MacCounter.count(g.build()).total());
    }

    /** SAME_UPPER: out = ceil(in / stride) = 3 for 5 at stride 2; 9 x 4 x (2 x 9) = 648. */
    @Test
    void samePaddingRoundsUp() {
        TinyGraph g =
                new TinyGraph()
                        .input("x", 1, 2, 5, 5)
                        .weight("w", 4, 2, 3, 3)
                        .node(
                                "Conv",
                                "conv",
                                in("x", "w"),
                                string("auto_pad", "SAME_UPPER"),
                                ints("strides", 2, 2));
        assertEquals(9 * 4 * 18, MacCounter.count(g.build()).total());
    }

    /** MatMul broadcasts batch dimensions: [2,3,4] x [4,5] = 2 x 3 x 4 x 5; reshape feeds it. */
    @Test
    void matMulWithBatchAndReshape() {
        TinyGraph g =
                new TinyGraph()
                        .input("x", 2, 12)
                        .int64("shape", 0, 3, -1)
                        .weight("w", 4, 5)
                        .node("Reshape", "r", in("x", "shape"))
                        .node("MatMul", "mm", in("r", "w"));
        MacCounter.Count count = MacCounter.count(g.build());
        assertEquals(2 * 3 * 4 * 5, count.total());
        assertEquals(Map.of("MatMul", 120L), count.byOpType());
    }

    @Test
    void unknownOpIsNamedNotSkipped() {
        TinyGraph g = new TinyGraph().input("x", 1, 4).node("TopK", "top", in("x"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MacCounter.count(g.build()));
        assertTrue(
                e.getMessage().contains("'top'") && e.getMessage().contains("TopK"),
                e.getMessage());
    }

    @Test
    void mismatchedChannelsAreReported() {
        TinyGraph g =
                new TinyGraph()
                        .input("x", 1, 3, 4, 4)
                        .weight("w", 8, 4, 1, 1)
                        .node("Conv", "conv", in("x", "w"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MacCounter.count(g.build()));
        assertTrue(
                e.getMessage().contains("'conv'") && e.getMessage().contains("3 channels"),
                e.getMessage());
    }

    /**
     * The shipped model against MobileNetV2's architecture table at 160x160, computed by hand: stem
     * 80x80x32x27; per inverted residual expand (H_in^2 x C_in x tC_in), depthwise (H_out^2 x tC_in
     * x 9) and project (H_out^2 x tC_in x C_out); 1x1 320 -> 1280 at 5x5; Dense 1280 -> 1.
     */
    @Test
    void shippedModelMatchesTheArchitectureTable() throws Exception {
        MacCounter.Count count =
                MacCounter.count(root().resolve("models/catsdogs-mobilenetv2.onnx"));
        // The architecture's MACs plus the activation maps' 1x1 conv (1280 x 5 x 5, one unit).
        assertEquals(mobileNetV2Macs(160, 1) + 1280 * 5 * 5, count.total());
        assertEquals(152_836_480L, count.total());
        assertEquals(1280L, count.byOpType().get("Gemm"));
    }

    /** The ImageNet file (int8 QDQ, 224x224, 1000 classes): the paper's 300M MACs. */
    @Test
    void imageNetFileGivesThePapersFigure() throws Exception {
        MacCounter.Count count =
                MacCounter.count(
                        root().resolve(dev.catsdogs.trainer.onnx.MobileNetV2Weights.SHIPPED_FILE));
        assertEquals(mobileNetV2Macs(224, 1000), count.total());
        assertEquals(300_774_272L, count.total());
    }

    /** MobileNetV2 1.0 MACs from the paper's table (t, c, n, s), at {@code size}, with the head. */
    static long mobileNetV2Macs(int size, int classes) {
        int[][] blocks = {
            {1, 16, 1, 1},
            {6, 24, 2, 2},
            {6, 32, 3, 2},
            {6, 64, 4, 2},
            {6, 96, 3, 1},
            {6, 160, 3, 2},
            {6, 320, 1, 1}
        };
        long h = size / 2;
        long macs = h * h * 32 * 27;
        long cin = 32;
        for (int[] b : blocks) {
            for (int i = 0; i < b[2]; i++) {
                long stride = i == 0 ? b[3] : 1;
                long expanded = cin * b[0];
                if (b[0] != 1) {
                    macs += h * h * cin * expanded;
                }
                long out = (h + stride - 1) / stride;
                macs += out * out * expanded * 9 + out * out * expanded * b[1];
                h = out;
                cin = b[1];
            }
        }
        return macs + h * h * 320 * 1280 + 1280L * classes;
    }

    static Path root() {
        return Workspace.root();
    }
}

package dev.catsdogs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.onnx.proto.OnnxMl;
import dev.catsdogs.inference.ModelMetadata;
import dev.catsdogs.trainer.model.Layer;
import dev.catsdogs.trainer.model.LayerKind;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MacCounterTest {

    /**
     * A MobileNet-shaped toy, by hand: [8x8x3] -> 3x3/2 conv to 4x4x4 -> BatchNorm -> depthwise 3x3
     * -> pointwise 1x1 to 8 channels.
     *
     * <ul>
     *   <li>stem: 16 pixels x 4 channels x 3 x 9 = 1728
     *   <li>BatchNorm: none
     *   <li>depthwise (groups 4): 16 x 4 x 1 x 9 = 576
     *   <li>pointwise 4 -> 8: 16 x 8 x 4 x 1 = 512
     * </ul>
     */
    @Test
    void convolutionLayersByHand() {
        Layer input = new Layer(0, "input", LayerKind.INPUT, 8, 8, 3, null, null, -1);
        Layer stem = layer(1, LayerKind.CONV, 4, 4, conv(3, 2, 4, 1));
        Layer bn = layer(2, LayerKind.BATCH_NORM, 4, 4, BatchNorm.builder().build());
        Layer depthwise = layer(3, LayerKind.DEPTHWISE_CONV, 4, 4, conv(3, 1, 4, 4));
        Layer pointwise = layer(4, LayerKind.CONV, 4, 8, conv(1, 1, 8, 1));

        assertEquals(1728, MacCounter.macs(input, stem));
        assertEquals(0, MacCounter.macs(stem, bn));
        assertEquals(576, MacCounter.macs(bn, depthwise));
        assertEquals(512, MacCounter.macs(depthwise, pointwise));
    }

    /**
     * The shipped network (160x160, two classes: one logit) against MobileNetV2's architecture
     * table, and the figure docs/performance.md gives: 152,803,200 in convolutions plus the Dense
     * layer's 1280.
     */
    @Test
    void shippedNetworkMatchesTheArchitectureTable() {
        MacCounter.Count count = MacCounter.count(TransferNetwork.create(160, 2));

        assertEquals(mobileNetV2Macs(160, 1), count.total());
        assertEquals(152_804_480L, count.total());
        assertEquals(List.of("Conv2D", "DepthwiseConv2D", "Dense"), keys(count));
        assertEquals(
                152_803_200L,
                count.byLayerType().get("Conv2D") + count.byLayerType().get("DepthwiseConv2D"));
        assertEquals(1280L, count.byLayerType().get(MacCounter.DENSE));
        assertEquals(2 * count.total(), count.flops());
    }

    /**
     * The ImageNet layout (224x224, 1000 classes): the paper's 300M MACs, and exactly what the
     * former ONNX-graph counter gave for {@code models/mobilenet_v2_1.0_224_int8_per_tensor.onnx}.
     */
    @Test
    void imageNetLayoutGivesThePapersFigure() {
        MacCounter.Count count = MacCounter.count(TransferNetwork.create(224, 1000));
        assertEquals(mobileNetV2Macs(224, 1000), count.total());
        assertEquals(300_774_272L, count.total());
    }

    /**
     * What the former ONNX-graph counter gave for fresh exports of the network: the same MACs plus
     * the activation-maps output, a 1x1 convolution of {@code logits x 1280} over the last feature
     * map, which this count leaves out because classification never runs it.
     */
    @ParameterizedTest
    @CsvSource({
        "160, 2, 152836480",
        "96, 2, 55021952",
        "224, 2, 299558272",
        "160, 3, 152903040",
        "224, 1000, 363494272",
        "100, 2, 75449920",
        "33, 5, 14304704"
    })
    void formerGraphCountLessTheActivationMaps(int size, int classes, long graphCount) {
        TransferNetwork network = TransferNetwork.create(size, classes);
        Layer last = network.base().layers().get(network.base().layers().size() - 1);
        long activationMaps =
                (long) last.height() * last.width() * last.channels() * network.head().units();

        long total = MacCounter.count(network).total();

        assertEquals(graphCount, total + activationMaps);
        assertEquals(mobileNetV2Macs(size, network.head().units()), total);
    }

    /** The bench's path: the input size and class names of the shipped model's metadata. */
    @Test
    void shippedModelFromItsMetadata() throws Exception {
        Map<String, String> props = shippedModelProperties();
        assertEquals(152_804_480L, MacCounter.count(ModelMetadata.parse(props, "shipped")).total());

        props.put(ModelMetadata.INPUT_WIDTH, "96");
        ModelMetadata wide = ModelMetadata.parse(props, "non-square");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MacCounter.count(wide));
        assertTrue(
                e.getMessage().startsWith("Received input=160x96; expected a square"),
                e.getMessage());
    }

    /** MobileNetV2 1.0 MACs from the paper's table (t, c, n, s), at {@code size}, with the head. */
    static long mobileNetV2Macs(int size, int logits) {
        int[][] blocks = {
            {1, 16, 1, 1},
            {6, 24, 2, 2},
            {6, 32, 3, 2},
            {6, 64, 4, 2},
            {6, 96, 3, 1},
            {6, 160, 3, 2},
            {6, 320, 1, 1}
        };
        long h = (size + 1) / 2; // "same" padding: ceil(size / stride)
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
        return macs + h * h * 320 * 1280 + 1280L * logits;
    }

    private static Map<String, String> shippedModelProperties() throws Exception {
        Path file = Workspace.root().resolve("models/catsdogs-mobilenetv2.onnx");
        Map<String, String> props = new HashMap<>();
        OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file))
                .getMetadataPropsList()
                .forEach(p -> props.put(p.getKey(), p.getValue()));
        return props;
    }

    private static Conv2d conv(int kernel, int stride, int filters, int groups) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .setFilters(filters)
                .optGroups(groups)
                .optBias(false)
                .build();
    }

    private static Layer layer(
            int index, LayerKind kind, int side, int channels, ai.djl.nn.Block block) {
        return new Layer(index, "layer_" + index, kind, side, side, channels, block, null, -1);
    }

    private static List<String> keys(MacCounter.Count count) {
        return List.copyOf(count.byLayerType().keySet());
    }
}

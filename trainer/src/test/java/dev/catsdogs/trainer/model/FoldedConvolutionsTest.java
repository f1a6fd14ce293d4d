package dev.catsdogs.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Folding frozen BatchNorm into its convolution changes float rounding only: with the ImageNet
 * weights, features with and without the fold agree to 1e-4; the fold follows the frozen set and
 * the weights at the time it is made.
 */
class FoldedConvolutionsTest {

    private static final int SIZE = 96;

    private NDManager manager;
    private TransferNetwork network;
    private float[] pixels;

    @BeforeEach
    void setUp() throws Exception {
        manager = NDManager.newBaseManager();
        network = TransferNetwork.create(SIZE, 2);
        network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, SIZE, SIZE));
        MobileNetV2Weights.read(TestPaths.imagenetOnnx()).applyTo(network.base());
        pixels = new float[4 * 3 * SIZE * SIZE];
        Random random = new Random(7);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat() * 2 - 1;
        }
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void foldedFeaturesMatchUnfoldedOnes() {
        int pooled = network.base().layers().size();
        // The ImageNet file's BatchNorms are identities (bn_Conv1: gamma 1, mean 0, variance
        // 1 - epsilon; the convolutions carry the rest), which fold with a scale of exactly 1.
        // Give every one a real scale, so that the fold has something to get wrong.
        for (Layer layer : network.base().layers()) {
            scale(layer, Parameter.Type.GAMMA, 1.1f);
            scale(layer, Parameter.Type.RUNNING_VAR, 1.2f);
        }
        network.freezeBase();
        float[] folded = features(pooled);
        // The output of block_10 (before the fine-tuning cut at 99) as well as the pooled features.
        float[] foldedMid = features(99);
        network.base().foldBatchNormBefore(0);
        float[] plain = features(pooled);
        float[] plainMid = features(99);

        assertEquals(1280 * 4, plain.length);
        System.out.printf(
                "folded vs plain, max |diff|: pooled features %.3g, layer 98 %.3g%n",
                maxAbsDiff(plain, folded), maxAbsDiff(plainMid, foldedMid));
        assertTrue(maxAbsDiff(plain, folded) < 1e-4, "pooled: " + maxAbsDiff(plain, folded));
        assertTrue(
                maxAbsDiff(plainMid, foldedMid) < 1e-4,
                "layer 98: " + maxAbsDiff(plainMid, foldedMid));
        // The fold is not a no-op in disguise: the features are not bit-identical.
        assertTrue(maxAbsDiff(plain, folded) > 0, "folded and plain are bit-identical");
    }

    @Test
    void foldFollowsTheFrozenLayers() {
        network.freezeBase();
        assertEquals(52, foldedPairs(network.base().layers().size()), "every BatchNorm, frozen");
        // Below layer 100: bn_Conv1, block 0's two and blocks 1-10's three BatchNorms; that of
        // block_11_expand (layer 99) is layer 100, which trains, so that pair is not folded.
        network.setTrainableFrom(100);
        int below100 = foldedPairs(100);
        assertEquals(below100, network.base().foldBatchNormBefore(100));
        assertEquals(33, below100);
        network.setTrainableFrom(0);
        assertEquals(0, network.base().foldBatchNormBefore(0));
    }

    @Test
    void refoldingTakesTheCurrentWeights() {
        int pooled = network.base().layers().size();
        network.setTrainableFrom(100);
        float[] before = features(pooled);
        // A trainable BatchNorm (layer 100) is not folded: a change to its gamma shows at once.
        scale(network.base().layer("block_11_expand_BN"), Parameter.Type.GAMMA, 1.5f);
        float[] trainableChanged = features(pooled);
        assertTrue(maxAbsDiff(before, trainableChanged) > 1e-3, "trainable BN must run unfolded");

        // A frozen one (block_5's) is folded from the weights of the last fold; folding again
        // takes the new ones, and matches the unfolded network.
        scale(network.base().layer("block_5_depthwise_BN"), Parameter.Type.GAMMA, 1.5f);
        network.setTrainableFrom(100);
        float[] refolded = features(pooled);
        network.base().foldBatchNormBefore(0);
        float[] plain = features(pooled);
        assertTrue(maxAbsDiff(trainableChanged, plain) > 1e-3, "the frozen change must show");
        assertTrue(maxAbsDiff(plain, refolded) < 1e-4, "refolded: " + maxAbsDiff(plain, refolded));
    }

    @Test
    void foldingNeedsAnInitializedNetwork() {
        TransferNetwork fresh = TransferNetwork.create(SIZE, 2);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class, () -> fresh.base().foldBatchNormBefore(10));
        assertTrue(e.getMessage().contains("initialized"), e.getMessage());
    }

    private int foldedPairs(int end) {
        int pairs = 0;
        var layers = network.base().layers();
        for (int i = 0; i + 1 < end; i++) {
            if (layers.get(i + 1).kind() == LayerKind.BATCH_NORM) {
                pairs++;
            }
        }
        return pairs;
    }

    private float[] features(int boundary) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray images = scope.create(pixels, new Shape(4, 3, SIZE, SIZE));
            return network.activationBefore(
                            new ParameterStore(scope, false), images, boundary, false)
                    .toFloatArray();
        }
    }

    private static void scale(Layer layer, Parameter.Type type, float factor) {
        for (Parameter p : layer.parameters()) {
            if (p.getType() == type) {
                NDArray a = p.getArray();
                a.set(a.mul(factor).toFloatArray());
            }
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}

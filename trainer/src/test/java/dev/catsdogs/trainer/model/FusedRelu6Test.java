package dev.catsdogs.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class FusedRelu6Test {

    // Both boundaries, both sides of them, and values far out.
    private static final float[] X = {
        -100f, -1f, -1e-6f, 0f, 1e-6f, 0.5f, 3f, 5.999f, 6f, 6.001f, 7f, 1e6f
    };

    @Test
    void valuesAreClipZeroSix() {
        try (NDManager manager = NDManager.newBaseManager()) {
            FusedRelu6 relu6 = FusedRelu6.load(manager);
            NDArray x = manager.create(X);
            float[] expected = x.clip(0f, 6f).toFloatArray();
            assertArrayEquals(expected, relu6.apply(x, false, false).toFloatArray());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                x.setRequiresGradient(true);
                assertArrayEquals(expected, relu6.apply(x, true, false).toFloatArray());
            }
        }
    }

    @Test
    void gradientIsOneStrictlyInsideZeroSixLikeKeras() {
        try (NDManager manager = NDManager.newBaseManager()) {
            FusedRelu6 relu6 = FusedRelu6.load(manager);
            NDArray x = manager.create(X);
            x.setRequiresGradient(true);
            NDArray upstream = manager.arange(1f, X.length + 1f); // distinct weights per element
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(relu6.apply(x, true, false).mul(upstream).sum());
            }
            float[] gradient = x.getGradient().toFloatArray();
            for (int i = 0; i < X.length; i++) {
                float expected = X[i] > 0f && X[i] < 6f ? i + 1f : 0f; // TensorFlow's Relu6Grad
                assertEquals(expected, gradient[i], "x=" + X[i]);
            }
        }
    }

    @Test
    void gradientFlowsThroughLargeBatches() {
        try (NDManager manager = NDManager.newBaseManager()) {
            FusedRelu6 relu6 = FusedRelu6.load(manager);
            NDArray x = manager.randomUniform(-3f, 9f, new Shape(4, 8, 16, 16));
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(relu6.apply(x, true, false).sum());
            }
            NDArray mask = x.gt(0f).logicalAnd(x.lt(6f)).toType(x.getDataType(), false);
            assertArrayEquals(mask.toFloatArray(), x.getGradient().toFloatArray());
        }
    }

    @Test
    void withoutGradientAnIntermediateIsClippedInPlace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            FusedRelu6 relu6 = FusedRelu6.load(manager);
            NDArray x = manager.create(X);
            float[] expected = x.clip(0f, 6f).toFloatArray();
            assertArrayEquals(expected, relu6.apply(x, false, true).toFloatArray());
            assertArrayEquals(expected, x.toFloatArray(), "clipped in place");
            NDArray kept = manager.create(X);
            relu6.apply(kept, false, false);
            assertArrayEquals(X, kept.toFloatArray(), "an input others read is left alone");
        }
    }

    @Test
    void clipThenPadMatchesClipAndPadAtOddAndEvenSizes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            FusedRelu6 relu6 = FusedRelu6.load(manager);
            ChannelsLast channelsLast = ChannelsLast.load(manager);
            for (int size : new int[] {6, 7, 8}) {
                NDArray nchw = manager.randomUniform(-3f, 9f, new Shape(2, 3, size, size));
                // Both memory layouts the trainer's forwards use (the network's CPU forward is
                // channels-last), with the same values.
                NDArray x = size == 8 ? channelsLast.apply(nchw) : nchw;
                // Keras' stride-2 padding (0, 1) and an uneven one on every side.
                for (Padding pad :
                        new Padding[] {new Padding(0, 1, 0, 1), new Padding(2, 1, 3, 0)}) {
                    float[] expected = x.clip(0f, 6f).pad(pad.toDjl(), 0).toFloatArray();
                    NDArray padded = relu6.applyThenPad(x, false, pad);
                    assertEquals(
                            new Shape(
                                    2,
                                    3,
                                    size + pad.top() + pad.bottom(),
                                    size + pad.left() + pad.right()),
                            padded.getShape());
                    assertArrayEquals(expected, padded.toFloatArray(), size + " " + pad);
                    // With a gradient recorded, the plain operations run: same values.
                    try (GradientCollector collector =
                            Engine.getInstance().newGradientCollector()) {
                        assertArrayEquals(
                                expected, relu6.applyThenPad(x, true, pad).toFloatArray());
                    }
                }
            }
        }
    }
}

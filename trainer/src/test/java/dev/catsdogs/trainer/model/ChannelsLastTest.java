package dev.catsdogs.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ChannelsLastTest {

    @Test
    void valuesShapeAndReadBackOrderAreUnchanged() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ChannelsLast channelsLast = ChannelsLast.load(manager);
            NDArray x = manager.arange(2f * 3 * 4 * 5).reshape(2, 3, 4, 5);
            NDArray laidOut = channelsLast.apply(x);
            assertEquals(x.getShape(), laidOut.getShape());
            assertArrayEquals(x.toFloatArray(), laidOut.toFloatArray());
            assertArrayEquals(
                    x.get("1,:,1:3").toFloatArray(), laidOut.get("1,:,1:3").toFloatArray());
            assertArrayEquals(x.add(1f).toFloatArray(), laidOut.add(1f).toFloatArray());
        }
    }

    @Test
    void theCopyIsChannelsLast() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ChannelsLast channelsLast = ChannelsLast.load(manager);
            NDArray nchw = manager.zeros(new Shape(1, 2, 3, 3));
            NDArray laidOut = channelsLast.apply(nchw);
            // PyTorch returns a channels-last tensor itself instead of a copy: writing through the
            // second result shows in the first only if the first already was channels-last.
            channelsLast.apply(laidOut).addi(1f);
            assertArrayEquals(manager.ones(new Shape(18)).toFloatArray(), laidOut.toFloatArray());
            assertArrayEquals(new float[18], nchw.toFloatArray(), "the input is copied");
        }
    }

    @Test
    void otherRanksPassThrough() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ChannelsLast channelsLast = ChannelsLast.load(manager);
            NDArray features = manager.ones(new Shape(4, 1280));
            assertSame(features, channelsLast.apply(features));
        }
    }

    @Test
    void theGradientFlowsThrough() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ChannelsLast channelsLast = ChannelsLast.load(manager);
            NDArray x = manager.randomUniform(-1f, 1f, new Shape(2, 3, 4, 4));
            NDArray weights = manager.arange(1f, 97f).reshape(2, 3, 4, 4);
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(channelsLast.apply(x).mul(weights).sum());
            }
            assertArrayEquals(weights.toFloatArray(), x.getGradient().toFloatArray());
        }
    }
}

package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.catsdogs.trainer.data.ShuffleMode;
import dev.catsdogs.trainer.feed.ImageFeed;
import dev.catsdogs.trainer.model.Layer;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.KerasRmsProp;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Frozen means frozen: after real training steps, frozen weights and every BatchNorm moving
 * statistic are bit-for-bit unchanged, while the trainable layers did move.
 */
class FrozenLayersTest {

    private static final int SIZE = 96;

    @Test
    void fineTuningFromLayer100ChangesOnlyLayers100AndUp() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network = TrainingFixture.network(manager, SIZE, null);
            network.setTrainableFrom(100);
            Map<Parameter, float[]> before = snapshot(network);

            ImageFeed feed =
                    new ImageFeed(
                            TrainingFixture.loader(
                                    TrainingFixture.samples(8, 0),
                                    SIZE,
                                    8,
                                    1,
                                    ShuffleMode.EACH_EPOCH),
                            SIZE);
            TransferTrainer trainer = new TransferTrainer(network, manager);
            try (KerasRmsProp optimizer = KerasRmsProp.withDefaults(1e-3f)) {
                trainer.trainEpoch(Phase.FINE_TUNING, feed, 0, 1, optimizer); // 2 steps of 8 images
            }

            int frozenChecked = 0;
            int statisticsChecked = 0;
            for (Layer layer : network.base().layers()) {
                for (Parameter p : layer.parameters()) {
                    boolean statistic =
                            p.getType() == Parameter.Type.RUNNING_MEAN
                                    || p.getType() == Parameter.Type.RUNNING_VAR;
                    float[] now = p.getArray().toFloatArray();
                    if (statistic || layer.index() < 100) {
                        assertArrayEquals(
                                before.get(p),
                                now,
                                layer.name() + " " + p.getName() + " must not change");
                        frozenChecked += statistic ? 0 : 1;
                        statisticsChecked += statistic ? 1 : 0;
                    }
                }
            }
            // Layers 0..99 hold 100 learnable tensors (conv kernels, gamma, beta); 52 BatchNorms
            // hold 104 statistics.
            assertEquals(100, frozenChecked);
            assertEquals(2 * 52, statisticsChecked);
            assertChanged(before, network.base().layer("block_11_expand_BN"), "gamma");
            assertChanged(before, network.base().layer("block_16_project"), "weight");
            assertChanged(before, network.base().layer("Conv_1_bn"), "beta");
            Parameter dense = network.head().dense().getParameters().get("weight");
            assertFalse(
                    Arrays.equals(before.get(dense), dense.getArray().toFloatArray()),
                    "the head must train");
        }
    }

    private static Map<Parameter, float[]> snapshot(TransferNetwork network) {
        Map<Parameter, float[]> out = new IdentityHashMap<>();
        for (var entry : network.getParameters()) {
            out.put(entry.getValue(), entry.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static void assertChanged(
            Map<Parameter, float[]> before, Layer layer, String parameter) {
        Parameter p = layer.block().getParameters().get(parameter);
        assertFalse(
                Arrays.equals(before.get(p), p.getArray().toFloatArray()),
                layer.name() + " " + parameter + " must train");
    }
}

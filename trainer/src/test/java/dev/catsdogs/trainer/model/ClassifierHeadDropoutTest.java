package dev.catsdogs.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Dropout before the Dense layer acts in training only, with Keras' 1 / (1 - rate) scaling. */
class ClassifierHeadDropoutTest {

    private static final int FEATURES = 1000;

    @Test
    void dropoutActsInTrainingOnly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ClassifierHead head = new ClassifierHead(2, 0.2f);
            head.initialize(manager, DataType.FLOAT32, new Shape(1, FEATURES, 1, 1));
            float[] weight = new float[FEATURES];
            Arrays.fill(weight, 1f / FEATURES);
            head.dense().getParameters().get("weight").getArray().set(weight);
            head.dense().getParameters().get("bias").getArray().set(new float[] {0f});
            var ps = new ParameterStore(manager, false);
            var pooled = manager.ones(new Shape(1, FEATURES));

            // Evaluation (and so the export, which has the Dense layer only): the mean, 1.
            assertEquals(1f, head.logits(ps, pooled, false).getFloat(), 1e-5f);
            // Training: about 80% kept, each scaled by 1 / 0.8, so still about 1 but not exactly.
            float trained = head.logits(ps, pooled, true).getFloat();
            assertNotEquals(1f, trained, 1e-5f);
            assertTrue(Math.abs(trained - 1f) < 0.15f, "training logit " + trained);
            float kept = trained * 0.8f * FEATURES;
            assertEquals(Math.round(kept), kept, 0.05f, "kept features (a whole number)");
        }
    }

    @Test
    void noDropoutIsTheSeedsHead() {
        assertEquals(0f, new ClassifierHead(2).dropout());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new ClassifierHead(2, 1f));
        assertTrue(e.getMessage().contains("dropout=1.0"), e.getMessage());
    }
}

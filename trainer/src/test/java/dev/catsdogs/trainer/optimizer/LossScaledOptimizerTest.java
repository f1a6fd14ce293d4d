package dev.catsdogs.trainer.optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.catsdogs.trainer.model.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dynamic loss scaling: a scaled loss gives the wrapped optimizer the gradient of the loss itself;
 * an overflowed step is skipped, its gradients zeroed, the scale halved; good steps double it after
 * the growth interval. Only float16 gets it.
 */
class LossScaledOptimizerTest {

    @Test
    void theUpdateIsTheUnscaledOne() {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer plain = new KerasRmsProp(1e-3f, 0.9f, 1e-7f);
                LossScaledOptimizer scaled =
                        new LossScaledOptimizer(new KerasRmsProp(1e-3f, 0.9f, 1e-7f))) {
            Parameter a = parameter(manager, new float[] {0.5f, -0.25f, 2f});
            Parameter b = parameter(manager, new float[] {0.5f, -0.25f, 2f});
            float[] direction = {3f, -1e-6f, 0.125f};
            backward(manager, a, direction, plain);
            backward(manager, b, direction, scaled);
            float[] scaledGradient = b.getArray().getGradient().toFloatArray();
            assertEquals(
                    direction[0] * LossScaledOptimizer.INITIAL_SCALE,
                    scaledGradient[0],
                    1e-3f,
                    "the backward pass saw the loss times 2^16");
            plain.step(List.of(a));
            scaled.step(List.of(b));
            assertArrayEquals(a.getArray().toFloatArray(), b.getArray().toFloatArray(), 1e-7f);
            assertArrayEquals(new float[3], b.getArray().getGradient().toFloatArray());
            assertEquals(0, scaled.skippedSteps());
            assertEquals(LossScaledOptimizer.INITIAL_SCALE, scaled.scale());
        }
    }

    @Test
    void anOverflowSkipsTheStepAndHalvesTheScale() {
        try (NDManager manager = NDManager.newBaseManager();
                LossScaledOptimizer scaled =
                        new LossScaledOptimizer(new KerasRmsProp(1e-3f, 0.9f, 1e-7f))) {
            Parameter p = parameter(manager, new float[] {1f, 2f});
            backward(manager, p, new float[] {Float.POSITIVE_INFINITY, 1f}, scaled);
            scaled.step(List.of(p));
            assertArrayEquals(new float[] {1f, 2f}, p.getArray().toFloatArray(), "no update");
            assertArrayEquals(new float[2], p.getArray().getGradient().toFloatArray(), "zeroed");
            assertEquals(1, scaled.skippedSteps());
            assertEquals(LossScaledOptimizer.INITIAL_SCALE / 2, scaled.scale());
        }
    }

    @Test
    void goodStepsGrowTheScale() {
        try (NDManager manager = NDManager.newBaseManager();
                LossScaledOptimizer scaled =
                        new LossScaledOptimizer(new KerasRmsProp(1e-3f, 0.9f, 1e-7f), 8f, 3)) {
            Parameter p = parameter(manager, new float[] {1f});
            for (int step = 1; step <= 3; step++) {
                backward(manager, p, new float[] {0.5f}, scaled);
                scaled.step(List.of(p));
                assertEquals(step < 3 ? 8f : 16f, scaled.scale(), "after step " + step);
            }
            assertTrue(p.getArray().toFloatArray()[0] < 1f, "the weight moved");
        }
    }

    /** A resumed float16 run scales as the uninterrupted one: the checkpoint keeps the scale. */
    @Test
    void theScaleSurvivesAStateAndRestore() {
        try (NDManager manager = NDManager.newBaseManager();
                LossScaledOptimizer first =
                        new LossScaledOptimizer(new KerasRmsProp(1e-3f, 0.9f, 1e-7f), 8f, 3);
                LossScaledOptimizer resumed =
                        new LossScaledOptimizer(new KerasRmsProp(1e-3f, 0.9f, 1e-7f), 8f, 3)) {
            Parameter p = parameter(manager, new float[] {1f});
            backward(manager, p, new float[] {Float.POSITIVE_INFINITY}, first);
            first.step(List.of(p)); // skipped: 4
            for (int step = 0; step < 2; step++) {
                backward(manager, p, new float[] {0.5f}, first);
                first.step(List.of(p)); // two good steps of three
            }
            resumed.restore(List.of(p), first.state(List.of(p), manager));
            assertEquals(4f, resumed.scale());
            assertEquals(1, resumed.skippedSteps());
            backward(manager, p, new float[] {0.5f}, resumed);
            resumed.step(List.of(p));
            assertEquals(8f, resumed.scale(), "the third good step grows it, as without a resume");
        }
    }

    @Test
    void onlyFloat16IsScaled() {
        Optimizer inner = new KerasRmsProp(1e-3f, 0.9f, 1e-7f);
        assertSame(inner, LossScaledOptimizer.forPrecision(Precision.FP32, inner));
        assertSame(inner, LossScaledOptimizer.forPrecision(Precision.BF16, inner));
        try (Optimizer fp16 = LossScaledOptimizer.forPrecision(Precision.FP16, inner)) {
            assertTrue(fp16 instanceof LossScaledOptimizer);
            assertEquals(1e-3f, fp16.learningRate());
        }
    }

    private static Parameter parameter(NDManager manager, float[] values) {
        Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
        NDArray array = manager.create(values);
        array.setRequiresGradient(true);
        p.setArray(array);
        return p;
    }

    /** The gradient of sum(w * direction), through the optimizer's loss scaling. */
    private static void backward(
            NDManager manager, Parameter p, float[] direction, Optimizer optimizer) {
        try (NDManager scope = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = p.getArray().mul(scope.create(direction)).sum();
            collector.backward(optimizer.scaleLoss(loss));
        }
    }
}

package dev.catsdogs.trainer.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each fused update gives its reference's numbers: {@link FusedRmsProp} {@link KerasRmsProp}'s and
 * {@link FusedAdam} {@link KerasAdam}'s. Same random parameters and the same random gradients for
 * 20 steps, weights within 1e-6 after every step (on libtorch 2.7.1 CPU they are bit-identical:
 * same operations in the same order), and the gradients zeroed.
 */
class FusedOptimizersTest {

    private static final Shape[] SHAPES = {
        new Shape(32, 3, 3, 3),
        new Shape(32),
        new Shape(96, 1, 3, 3),
        new Shape(1280, 1),
        new Shape(1)
    };
    private static final int STEPS = 20;

    /** A reference and its fused twin with the same settings. */
    record Pair(String name, Supplier<Optimizer> reference, Supplier<Optimizer> fused) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Pair> pairs() {
        return Stream.of(
                new Pair(
                        "RMSprop",
                        () -> new KerasRmsProp(1e-3f, 0.9f, 1e-7f),
                        () -> new FusedRmsProp(1e-3f, 0.9f, 1e-7f)),
                new Pair(
                        "Adam",
                        () -> new KerasAdam(1e-3f, 0.9f, 0.999f, 1e-7f),
                        () -> new FusedAdam(1e-3f, 0.9f, 0.999f, 1e-7f)));
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void fusedAndReferenceUpdatesAgreeOver20Steps(Pair pair) {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer reference = pair.reference().get();
                Optimizer fused = pair.fused().get()) {
            Random random = new Random(7);
            List<Parameter> a = parameters(manager, random);
            float[] initial = a.get(0).getArray().toFloatArray();
            List<Parameter> b = new ArrayList<>();
            for (Parameter p : a) {
                b.add(parameter(manager, p.getName(), p.getArray().duplicate()));
            }
            double worst = 0;
            for (int step = 0; step < STEPS; step++) {
                List<float[]> grads = new ArrayList<>();
                for (Parameter p : a) {
                    float[] g = new float[Math.toIntExact(p.getArray().size())];
                    for (int i = 0; i < g.length; i++) {
                        // Gradients over several orders of magnitude, some exactly zero.
                        g[i] =
                                i % 17 == 0
                                        ? 0f
                                        : (float)
                                                (random.nextGaussian()
                                                        * Math.pow(10, -random.nextInt(5)));
                    }
                    grads.add(g);
                }
                setGradients(manager, a, grads);
                setGradients(manager, b, grads);
                reference.step(a);
                fused.step(b);
                for (int i = 0; i < a.size(); i++) {
                    float[] want = a.get(i).getArray().toFloatArray();
                    float[] got = b.get(i).getArray().toFloatArray();
                    for (int k = 0; k < want.length; k++) {
                        worst = Math.max(worst, Math.abs(want[k] - got[k]));
                    }
                    float[] zeroed = b.get(i).getArray().getGradient().toFloatArray();
                    for (float z : zeroed) {
                        assertEquals(
                                0f, z, "gradient of " + b.get(i).getName() + " after the step");
                    }
                }
                assertTrue(
                        worst <= 1e-6,
                        "step " + (step + 1) + ": max |fused - reference| = " + worst);
            }
            // The weights moved: the comparison is not between untouched copies.
            float[] last = b.get(0).getArray().toFloatArray();
            double moved = 0;
            for (int k = 0; k < last.length; k++) {
                moved = Math.max(moved, Math.abs(last[k] - initial[k]));
            }
            assertTrue(moved > 1e-3, "the weights moved by at most " + moved);
        }
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void closedUpdateIsRefused(Pair pair) {
        Optimizer fused = pair.fused().get();
        fused.close();
        fused.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> fused.step(List.of()));
    }

    @Test
    void badArgumentsAreEchoed() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new FusedRmsProp(1e-3f, 1f, 1e-7f));
        assertTrue(e.getMessage().contains("rho=1.0"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new FusedAdam(1e-3f, 0.9f, 1f, 1e-7f));
        assertTrue(e.getMessage().contains("beta2=1.0"), e.getMessage());
    }

    /**
     * Keras' Adam by hand for one weight: after step 1 the move is lr * g / (|g| + eps') where eps'
     * = eps / sqrt(1 - beta2): about lr for any gradient well above epsilon.
     */
    @Test
    void adamsFirstStepIsTheLearningRate() {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer adam = Optimizer.adam(1e-2f)) {
            Parameter p = parameter(manager, "w", manager.create(new float[] {1f, 1f}));
            setGradients(manager, List.of(p), List.of(new float[] {0.5f, -3f}));
            adam.step(List.of(p));
            float[] w = p.getArray().toFloatArray();
            assertEquals(1f - 1e-2f, w[0], 1e-6f);
            assertEquals(1f + 1e-2f, w[1], 1e-6f);
        }
    }

    @Test
    void theTrainerGetsTheFusedUpdateOnPyTorch() {
        assertEquals("PyTorch", Engine.getDefaultEngineName());
        try (Optimizer optimizer = Optimizer.rmsProp(1e-4f)) {
            assertTrue(optimizer instanceof FusedRmsProp, optimizer.getClass().getName());
            assertEquals(1e-4f, optimizer.learningRate());
        }
        try (Optimizer optimizer = OptimizerType.ADAM.create(1e-4f)) {
            assertTrue(optimizer instanceof FusedAdam, optimizer.getClass().getName());
            assertEquals(1e-4f, optimizer.learningRate());
        }
    }

    private static List<Parameter> parameters(NDManager manager, Random random) {
        List<Parameter> out = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            float[] w = new float[Math.toIntExact(SHAPES[i].size())];
            for (int k = 0; k < w.length; k++) {
                w[k] = (float) random.nextGaussian() * 0.1f;
            }
            out.add(parameter(manager, "p" + i, manager.create(w, SHAPES[i])));
        }
        return out;
    }

    private static Parameter parameter(NDManager manager, String name, NDArray array) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        array.setRequiresGradient(true);
        p.setArray(array);
        return p;
    }

    /** Accumulates {@code grads} into the parameters' (zeroed) gradients by a backward pass. */
    private static void setGradients(
            NDManager manager, List<Parameter> parameters, List<float[]> grads) {
        try (NDManager scope = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (int i = 0; i < parameters.size(); i++) {
                NDArray w = parameters.get(i).getArray();
                NDArray term = w.mul(scope.create(grads.get(i), w.getShape())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }
}

package dev.catsdogs.trainer.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSprop exactly as Keras applies it (TF's {@code ApplyRMSProp}, no momentum, not centered):
 * {@code ms = rho * ms + (1 - rho) * g^2; w -= lr * g / sqrt(ms + epsilon)}, with {@code ms}
 * starting at zero. DJL's own RmsProp differs in defaults (momentum 0.9, epsilon outside the root),
 * so the seed's optimizer is written out here, in engine-neutral NDArray operations.
 *
 * <p>Gradients are zeroed after each step: the PyTorch engine accumulates them otherwise.
 *
 * <p>The reference for {@link FusedRmsProp}, which gives the same numbers in one native call per
 * step, and the optimizer on engines other than PyTorch ({@link Optimizer#rmsProp}).
 */
public final class KerasRmsProp implements Optimizer {

    /** Keras' default decay of the mean square. */
    public static final float DEFAULT_RHO = 0.9f;

    /** Keras' default epsilon, added under the square root. */
    public static final float DEFAULT_EPSILON = 1e-7f;

    private final float learningRate;
    private final float rho;
    private final float epsilon;
    private final Map<Parameter, NDArray[]> meanSquares = new HashMap<>();

    /**
     * @param learningRate the step size (the seed: 1e-4, then 1e-5 for fine-tuning)
     * @param rho decay of the mean square (Keras default 0.9)
     * @param epsilon added under the root (Keras default 1e-7)
     */
    public KerasRmsProp(float learningRate, float rho, float epsilon) {
        checkArguments(learningRate, rho, epsilon);
        this.learningRate = learningRate;
        this.rho = rho;
        this.epsilon = epsilon;
    }

    /** Refuses what RMSprop cannot use, echoing the values. */
    static void checkArguments(float learningRate, float rho, float epsilon) {
        if (!(learningRate > 0) || !(rho >= 0 && rho < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException(
                    "Received learningRate="
                            + learningRate
                            + ", rho="
                            + rho
                            + ", epsilon="
                            + epsilon
                            + "; expected learningRate > 0, 0 <= rho < 1, epsilon > 0");
        }
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    /** Keras' defaults for everything but the learning rate. */
    public static KerasRmsProp withDefaults(float learningRate) {
        return new KerasRmsProp(learningRate, DEFAULT_RHO, DEFAULT_EPSILON);
    }

    @Override
    public void step(List<Parameter> parameters, float learningRate) {
        for (Parameter p : parameters) {
            NDArray weight = p.getArray();
            NDArray ms =
                    meanSquares
                            .computeIfAbsent(
                                    p,
                                    k -> {
                                        NDArray zeros = weight.zerosLike();
                                        NDScope.unregister(
                                                zeros); // optimizer state lives as long as the
                                        // optimizer
                                        return new NDArray[] {zeros};
                                    })[0];
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray grad = weight.getGradient();
                ms.muli(rho).addi(grad.square().muli(1f - rho));
                // Update through a detached view (same storage): an in-place change of a leaf that
                // requires gradients is refused if this thread happens to be in grad mode.
                weight.stopGradient().subi(grad.mul(learningRate).divi(ms.add(epsilon).sqrt()));
                grad.subi(grad);
            }
        }
    }

    @Override
    public OptimizerState state(List<Parameter> parameters, NDManager manager) {
        return OptimizerState.of(0, 1, parameters, meanSquares, manager);
    }

    @Override
    public void restore(List<Parameter> parameters, OptimizerState state) {
        state.restoreInto(parameters, meanSquares, 1, KerasRmsProp::detachedCopy);
    }

    // Optimizer state lives as long as the optimizer, outside any scope.
    static NDArray detachedCopy(NDArray saved) {
        NDArray copy = saved.duplicate();
        copy.detach();
        return copy;
    }

    @Override
    public void close() {
        meanSquares.values().forEach(s -> s[0].close());
        meanSquares.clear();
    }
}

package dev.catsdogs.trainer.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam exactly as Keras applies it: at step {@code t} (from 1), {@code alpha = lr * sqrt(1 -
 * beta2^t) / (1 - beta1^t)}; {@code m += (g - m) * (1 - beta1)}; {@code v += (g^2 - v) * (1 -
 * beta2)}; {@code w -= m * alpha / (sqrt(v) + epsilon)}, with {@code m} and {@code v} starting at
 * zero. The bias correction rides on the step size, and epsilon is added outside the root, to the
 * uncorrected {@code sqrt(v)}: Keras' form, which differs slightly from the paper's and PyTorch's.
 *
 * <p>Engine-neutral NDArray operations; the reference for {@link FusedAdam}, which gives the same
 * numbers in one native call per step, and the optimizer on engines other than PyTorch ({@link
 * Optimizer#adam}). Gradients are zeroed after each step.
 */
public final class KerasAdam implements Optimizer {

    /** Keras' default decay of the first moment. */
    public static final float DEFAULT_BETA_1 = 0.9f;

    /** Keras' default decay of the second moment. */
    public static final float DEFAULT_BETA_2 = 0.999f;

    /** Keras' default epsilon, added to {@code sqrt(v)}. */
    public static final float DEFAULT_EPSILON = 1e-7f;

    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final Map<Parameter, NDArray[]> moments = new HashMap<>();
    private long steps;

    /**
     * @param learningRate the step size (the tutorial: 1e-4)
     * @param beta1 decay of the first moment (Keras default 0.9)
     * @param beta2 decay of the second moment (Keras default 0.999)
     * @param epsilon added to {@code sqrt(v)} (Keras default 1e-7)
     */
    public KerasAdam(float learningRate, float beta1, float beta2, float epsilon) {
        checkArguments(learningRate, beta1, beta2, epsilon);
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** Keras' defaults for everything but the learning rate. */
    public static KerasAdam withDefaults(float learningRate) {
        return new KerasAdam(learningRate, DEFAULT_BETA_1, DEFAULT_BETA_2, DEFAULT_EPSILON);
    }

    /** Refuses what Adam cannot use, echoing the values. */
    static void checkArguments(float learningRate, float beta1, float beta2, float epsilon) {
        if (!(learningRate > 0)
                || !(beta1 >= 0 && beta1 < 1)
                || !(beta2 >= 0 && beta2 < 1)
                || !(epsilon > 0)) {
            throw new IllegalArgumentException(
                    "Received learningRate="
                            + learningRate
                            + ", beta1="
                            + beta1
                            + ", beta2="
                            + beta2
                            + ", epsilon="
                            + epsilon
                            + "; expected learningRate > 0, 0 <= beta1 < 1, 0 <= beta2 < 1,"
                            + " epsilon > 0");
        }
    }

    /**
     * Keras' bias-corrected step size of step {@code step} (from 1), in float32 as Keras computes
     * it: {@code lr * sqrt(1 - beta2^step) / (1 - beta1^step)}. Shared with {@link FusedAdam}.
     */
    static float alpha(float learningRate, float beta1, float beta2, long step) {
        float beta1Power = (float) Math.pow(beta1, step);
        float beta2Power = (float) Math.pow(beta2, step);
        return learningRate * (float) Math.sqrt(1f - beta2Power) / (1f - beta1Power);
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public void step(List<Parameter> parameters, float learningRate) {
        steps++;
        float alpha = alpha(learningRate, beta1, beta2, steps);
        for (Parameter p : parameters) {
            NDArray weight = p.getArray();
            NDArray[] mv =
                    moments.computeIfAbsent(
                            p,
                            k -> {
                                NDArray m = weight.zerosLike();
                                NDArray v = weight.zerosLike();
                                // optimizer state lives as long as the optimizer
                                NDScope.unregister(m, v);
                                return new NDArray[] {m, v};
                            });
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray grad = weight.getGradient();
                NDArray m = mv[0];
                NDArray v = mv[1];
                m.addi(grad.sub(m).muli(1f - beta1));
                v.addi(grad.square().subi(v).muli(1f - beta2));
                // Update through a detached view (same storage): see KerasRmsProp.
                weight.stopGradient().subi(m.mul(alpha).divi(v.sqrt().addi(epsilon)));
                grad.subi(grad);
            }
        }
    }

    @Override
    public OptimizerState state(List<Parameter> parameters, NDManager manager) {
        return OptimizerState.of(steps, 2, parameters, moments, manager);
    }

    @Override
    public void restore(List<Parameter> parameters, OptimizerState state) {
        state.restoreInto(parameters, moments, 2, KerasRmsProp::detachedCopy);
        steps = state.steps();
    }

    @Override
    public void close() {
        for (NDArray[] mv : moments.values()) {
            mv[0].close();
            mv[1].close();
        }
        moments.clear();
    }
}

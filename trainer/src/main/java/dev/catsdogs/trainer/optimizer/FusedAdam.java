package dev.catsdogs.trainer.optimizer;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * {@link KerasAdam}'s update, same operations in the same order, in one native call per step for
 * all parameters ({@link FusedUpdate} with {@code adam.pt}, two state slots: the moments). The
 * bias-corrected step size is computed here, once per step, by {@link KerasAdam#alpha}. PyTorch
 * engine only; {@link Optimizer#adam} falls back to {@link KerasAdam} elsewhere.
 */
public final class FusedAdam implements Optimizer {

    private static final String RESOURCE = "adam.pt";

    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final FusedUpdate update;
    private long steps;

    /** See {@link KerasAdam#KerasAdam(float, float, float, float)}. */
    public FusedAdam(float learningRate, float beta1, float beta2, float epsilon) {
        KerasAdam.checkArguments(learningRate, beta1, beta2, epsilon);
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.update = new FusedUpdate(RESOURCE, 2);
    }

    @Override
    public void step(List<Parameter> parameters, float learningRate) {
        steps++;
        float alpha = KerasAdam.alpha(learningRate, beta1, beta2, steps);
        // 1 - beta in float32, as the reference computes it.
        update.apply(parameters, alpha, 1f - beta1, 1f - beta2, epsilon);
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public OptimizerState state(List<Parameter> parameters, NDManager manager) {
        return update.state(steps, parameters, manager);
    }

    @Override
    public void restore(List<Parameter> parameters, OptimizerState state) {
        update.restore(parameters, state);
        steps = state.steps();
    }

    @Override
    public void close() {
        update.close();
    }
}

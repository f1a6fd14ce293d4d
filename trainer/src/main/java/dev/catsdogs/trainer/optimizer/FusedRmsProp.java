package dev.catsdogs.trainer.optimizer;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * {@link KerasRmsProp}'s update, same operations in the same order, in one native call per step for
 * all parameters ({@link FusedUpdate} with {@code rmsprop.pt}) instead of about ten per parameter
 * tensor. PyTorch engine only; {@link Optimizer#rmsProp} falls back to {@link KerasRmsProp}
 * elsewhere.
 */
public final class FusedRmsProp implements Optimizer {

    private static final String RESOURCE = "rmsprop.pt";

    private final float learningRate;
    private final float rho;
    private final float epsilon;
    private final FusedUpdate update;

    /**
     * @param learningRate the step size
     * @param rho decay of the mean square (Keras default 0.9)
     * @param epsilon added under the root (Keras default 1e-7)
     */
    public FusedRmsProp(float learningRate, float rho, float epsilon) {
        KerasRmsProp.checkArguments(learningRate, rho, epsilon);
        this.learningRate = learningRate;
        this.rho = rho;
        this.epsilon = epsilon;
        this.update = new FusedUpdate(RESOURCE, 1);
    }

    @Override
    public void step(List<Parameter> parameters, float learningRate) {
        // 1 - rho in float32, as the reference computes it.
        update.apply(parameters, learningRate, rho, 1f - rho, epsilon);
    }

    @Override
    public OptimizerState state(List<Parameter> parameters, NDManager manager) {
        return update.state(0, parameters, manager);
    }

    @Override
    public void restore(List<Parameter> parameters, OptimizerState state) {
        update.restore(parameters, state);
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public void close() {
        update.close();
    }
}

package dev.catsdogs.trainer.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * An optimizer as the trainer uses it: one update of the trainable parameters from their
 * accumulated gradients per step, which also zeroes the gradients.
 *
 * <p>The optimizer owns its state (and, when fused, its native module); {@link #close()} frees it
 * and may be called more than once.
 */
public interface Optimizer extends AutoCloseable {

    /**
     * One update of every parameter in {@code parameters} from its gradient with step size {@code
     * learningRate} (a schedule's value for this step), then zeroes the gradients.
     */
    void step(List<Parameter> parameters, float learningRate);

    /** {@link #step(List, float)} at the optimizer's own {@link #learningRate()}. */
    default void step(List<Parameter> parameters) {
        step(parameters, learningRate());
    }

    /** The step size it was built with: a schedule's base. */
    float learningRate();

    /** A copy of the state for a checkpoint, owned by {@code manager}. */
    OptimizerState state(List<Parameter> parameters, NDManager manager);

    /**
     * Continues from a checkpoint's state: the next update is the one after those it counts.
     *
     * @throws IllegalArgumentException when the state does not fit the parameters
     */
    void restore(List<Parameter> parameters, OptimizerState state);

    /**
     * The loss the backward pass starts from: {@code loss} itself, or scaled up where the optimizer
     * unscales the gradients again ({@link LossScaledOptimizer}).
     */
    default NDArray scaleLoss(NDArray loss) {
        return loss;
    }

    @Override
    void close();

    /**
     * Keras' RMSprop: fused ({@link FusedRmsProp}, one native call per step) on the PyTorch engine,
     * else the engine-neutral {@link KerasRmsProp}. Both give the same numbers.
     */
    static Optimizer rmsProp(float learningRate, float rho, float epsilon) {
        if (FusedUpdate.available()) {
            return new FusedRmsProp(learningRate, rho, epsilon);
        }
        return new KerasRmsProp(learningRate, rho, epsilon);
    }

    /**
     * Keras' Adam with its defaults for everything but the learning rate: fused ({@link FusedAdam})
     * on the PyTorch engine, else the engine-neutral {@link KerasAdam}. Both give the same numbers.
     */
    static Optimizer adam(float learningRate) {
        if (FusedUpdate.available()) {
            return new FusedAdam(
                    learningRate,
                    KerasAdam.DEFAULT_BETA_1,
                    KerasAdam.DEFAULT_BETA_2,
                    KerasAdam.DEFAULT_EPSILON);
        }
        return KerasAdam.withDefaults(learningRate);
    }

    /** {@link #rmsProp} with Keras' defaults for everything but the learning rate. */
    static Optimizer rmsProp(float learningRate) {
        return rmsProp(learningRate, KerasRmsProp.DEFAULT_RHO, KerasRmsProp.DEFAULT_EPSILON);
    }
}

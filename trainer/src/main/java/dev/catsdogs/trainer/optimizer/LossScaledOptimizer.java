package dev.catsdogs.trainer.optimizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import dev.catsdogs.trainer.model.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Dynamic loss scaling around another optimizer, for float16 forwards (Keras' {@code
 * LossScaleOptimizer}, PyTorch's {@code GradScaler}): float16 flushes gradients below about 6e-8 to
 * zero, so the loss is multiplied by a large power of two before the backward pass ({@link
 * #scaleLoss}) and the float32 gradients divided by it again before the update. A step whose
 * gradients overflowed (infinite or NaN) is skipped, its gradients zeroed, and the scale halved;
 * after {@value #GROWTH_INTERVAL} good steps in a row the scale doubles. Powers of two scale and
 * unscale exactly.
 */
public final class LossScaledOptimizer implements Optimizer {

    /** The first scale: 2^16, PyTorch's and Keras' default. */
    static final float INITIAL_SCALE = 65536f;

    /** Good steps before the scale doubles: PyTorch's and Keras' default. */
    static final int GROWTH_INTERVAL = 2000;

    private final Optimizer inner;
    private final int growthInterval;
    private float scale;
    private int goodSteps;
    private int skippedSteps;

    /** Scales for {@code inner}, which this optimizer then owns. */
    public LossScaledOptimizer(Optimizer inner) {
        this(inner, INITIAL_SCALE, GROWTH_INTERVAL);
    }

    LossScaledOptimizer(Optimizer inner, float initialScale, int growthInterval) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.scale = initialScale;
        this.growthInterval = growthInterval;
    }

    /**
     * The optimizer a phase trains {@code precision} with: {@code optimizer} itself, or for float16
     * {@code optimizer} with loss scaling (which then owns it).
     */
    public static Optimizer forPrecision(Precision precision, Optimizer optimizer) {
        return precision == Precision.FP16 ? new LossScaledOptimizer(optimizer) : optimizer;
    }

    @Override
    public NDArray scaleLoss(NDArray loss) {
        return loss.mul(scale);
    }

    /**
     * Unscales the gradients and updates with the wrapped optimizer, or, when a gradient is not
     * finite, skips the update, zeroes the gradients and halves the scale.
     */
    @Override
    public void step(List<Parameter> parameters, float learningRate) {
        if (!unscaledGradientsFinite(parameters)) {
            scale /= 2;
            goodSteps = 0;
            skippedSteps++;
            return;
        }
        inner.step(parameters, learningRate);
        if (++goodSteps == growthInterval) {
            scale *= 2;
            goodSteps = 0;
        }
    }

    /** Divides every gradient by the scale; zeroes them all when one is not finite. */
    private boolean unscaledGradientsFinite(List<Parameter> parameters) {
        if (parameters.isEmpty()) {
            return true;
        }
        // The gradients' handles and the sums belong to this scope, not to the model's manager.
        try (NDManager scope = parameters.get(0).getArray().getManager().newSubManager()) {
            List<NDArray> grads = new ArrayList<>();
            NDArray total = null;
            for (Parameter p : parameters) {
                NDArray g = p.getArray().getGradient();
                g.attach(scope);
                grads.add(g);
                g.muli(1f / scale);
                NDArray sum = g.sum();
                total = total == null ? sum : total.add(sum);
            }
            // A sum is finite only when every term is: one read of the device per step.
            if (Float.isFinite(total.getFloat())) {
                return true;
            }
            for (NDArray g : grads) {
                g.set(new NDIndex("..."), 0);
            }
            return false;
        }
    }

    /** The current loss scale. */
    public float scale() {
        return scale;
    }

    /** Updates skipped so far because a gradient overflowed. */
    public int skippedSteps() {
        return skippedSteps;
    }

    @Override
    public float learningRate() {
        return inner.learningRate();
    }

    /** The wrapped optimizer's state, with the loss scale's. */
    @Override
    public OptimizerState state(List<Parameter> parameters, NDManager manager) {
        return inner.state(parameters, manager)
                .withLossScale(new OptimizerState.LossScale(scale, goodSteps, skippedSteps));
    }

    /**
     * Restores the wrapped optimizer, and the loss scale where the state has one (a checkpoint
     * written before loss scales were saved starts from {@link #INITIAL_SCALE}).
     */
    @Override
    public void restore(List<Parameter> parameters, OptimizerState state) {
        inner.restore(parameters, state);
        OptimizerState.LossScale saved = state.lossScale();
        if (saved != null) {
            scale = saved.scale();
            goodSteps = saved.goodSteps();
            skippedSteps = saved.skippedSteps();
        }
    }

    @Override
    public void close() {
        inner.close();
    }
}

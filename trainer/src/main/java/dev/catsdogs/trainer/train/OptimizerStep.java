package dev.catsdogs.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.Optimizer;
import java.util.List;

/**
 * One training step, the one the trainer runs and {@code bench-train} times: the forward in
 * training mode from a layer boundary (cached activations or images), the loss on the logits
 * (class-weighted or not), the backward pass and one update of the trainable parameters.
 */
public final class OptimizerStep {

    private final TransferNetwork network;
    private final Optimizer optimizer;
    private final List<Parameter> trainable;

    /** A step over the parameters of {@code network} that train now. */
    public OptimizerStep(TransferNetwork network, Optimizer optimizer) {
        this.network = network;
        this.optimizer = optimizer;
        this.trainable = network.trainableParameters();
    }

    /**
     * The batch's loss and each image's predicted class.
     *
     * @param loss the mean (weighted) loss, read back after the backward pass
     * @param predictions each image's class by the served models' decision rule
     */
    public record Result(float loss, int[] predictions) {}

    /**
     * Runs one step on a batch whose arrays belong to {@code scope}.
     *
     * @param x the batch at layer {@code boundary} (images for 0)
     * @param labels class indices as floats
     * @param weights each image's loss weight, or null
     * @param learningRate the step size of this update (a schedule's value)
     */
    public Result run(
            NDManager scope,
            NDArray x,
            NDArray labels,
            NDArray weights,
            int boundary,
            float learningRate) {
        Result result = backward(scope, x, labels, weights, boundary);
        update(learningRate);
        return result;
    }

    /**
     * The step without its update: forward, loss and backward, leaving the gradients in the
     * trainable parameters for {@link #update}.
     */
    public Result backward(
            NDManager scope, NDArray x, NDArray labels, NDArray weights, int boundary) {
        ParameterStore ps = new ParameterStore(scope, false);
        float loss;
        int[] predictions;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = network.logitsFrom(ps, x, boundary, true);
            NDArray batchLoss = Objective.loss(logits, labels, weights);
            collector.backward(optimizer.scaleLoss(batchLoss)); // fp16: scaled up
            loss = batchLoss.getFloat();
            predictions = Objective.predictions(logits);
        }
        return new Result(loss, predictions);
    }

    /** The update from the current gradients, which it zeroes. */
    public void update(float learningRate) {
        optimizer.step(trainable, learningRate);
    }
}

package dev.catsdogs.bench.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.train.Objective;
import dev.catsdogs.trainer.train.Optimizer;
import java.util.List;
import java.util.Random;

/**
 * The training step {@code bench-train} times and profiles: every layer trainable (or those from a
 * fine-tuning layer on), one fixed random batch, loss, backward and an RMSprop update (the fused
 * one on PyTorch, see {@link Optimizer#rmsProp}). One body, so the timing and the profile always
 * measure the same work.
 */
final class TrainingStep implements AutoCloseable {

    /**
     * Milliseconds of one {@link #run}: the training step, and the inference forward after it (0 if
     * skipped).
     */
    record Times(double stepMs, double forwardMs) {}

    private final TransferNetwork network;
    private final NDManager manager;
    private final Shape shape;
    private final float[] images;
    private final float[] labels;
    private final List<Parameter> trainable;
    private final Optimizer optimizer;

    /**
     * Makes every layer of {@code network} trainable; batches are created in sub-managers of {@code
     * manager}.
     */
    TrainingStep(TransferNetwork network, NDManager manager, int batchSize, int imageSize) {
        this(network, manager, batchSize, imageSize, 0, Optimizer.rmsProp(1e-5f));
    }

    /**
     * Makes the layers of {@code network} from {@code trainableFrom} on trainable and updates them
     * with {@code optimizer}, which this step then owns.
     */
    TrainingStep(
            TransferNetwork network,
            NDManager manager,
            int batchSize,
            int imageSize,
            int trainableFrom,
            Optimizer optimizer) {
        this.network = network;
        this.manager = manager;
        this.optimizer = optimizer;
        network.setTrainableFrom(trainableFrom);
        this.trainable = network.trainableParameters();
        this.shape = new Shape(batchSize, 3, imageSize, imageSize);
        // Pixel values do not change the cost; a fixed seed keeps runs comparable anyway.
        this.images = new float[Math.toIntExact(shape.size())];
        Random random = new Random(0);
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat() * 2 - 1;
        }
        this.labels = new float[batchSize];
        for (int i = 0; i < batchSize; i++) {
            labels[i] = i % 2;
        }
    }

    /**
     * One training step on the batch, then an inference forward when {@code forward} is set.
     * Copying the batch into native memory is outside both times, as a data loader would have done
     * it.
     */
    Times run(boolean forward) {
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.create(images, shape);
            NDArray y = batch.create(labels);
            ParameterStore ps = new ParameterStore(batch, false);
            long t0 = System.nanoTime();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = Objective.loss(network.logitsFrom(ps, x, 0, true), y);
                collector.backward(loss);
            }
            optimizer.step(trainable);
            long t1 = System.nanoTime();
            if (forward) {
                network.logitsFrom(ps, x, 0, false).toFloatArray();
            }
            long t2 = System.nanoTime();
            return new Times((t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
    }

    /** Forward, loss and backward only: gradients for {@link #update()}. */
    void backward() {
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.create(images, shape);
            NDArray y = batch.create(labels);
            ParameterStore ps = new ParameterStore(batch, false);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(Objective.loss(network.logitsFrom(ps, x, 0, true), y));
            }
        }
    }

    /** The optimizer's update alone, from the current gradients (zeroed by it). */
    void update() {
        optimizer.step(trainable);
    }

    /** Parameter tensors the update changes. */
    int trainableTensors() {
        return trainable.size();
    }

    @Override
    public void close() {
        optimizer.close();
    }
}

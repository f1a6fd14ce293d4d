package dev.catsdogs.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.LossScaledOptimizer;
import dev.catsdogs.trainer.optimizer.Optimizer;
import dev.catsdogs.trainer.train.OptimizerStep;
import java.util.List;
import java.util.Random;

/**
 * The training step {@code bench-train} times and profiles: the trainer's own {@link OptimizerStep}
 * with every layer trainable (or those from a fine-tuning layer on), one fixed random batch and an
 * RMSprop update (the fused one on PyTorch, see {@link Optimizer#rmsProp}); and the inference
 * forward of the network with its base frozen, as the trainer's cache builds run it. One body each,
 * so the timing and the profile always measure the same work. Everything runs on the device of the
 * manager it is given.
 */
final class TrainingStep implements AutoCloseable {

    private final TransferNetwork network;
    private final NDManager manager;
    private final Shape shape;
    private final float[] images;
    private final float[] labels;
    private final List<Parameter> trainable;
    private final Optimizer optimizer;
    private final OptimizerStep step;
    private final Parameter smallestTrainable;
    private boolean frozen;

    /**
     * Makes every layer of {@code network} trainable; batches are created in sub-managers of {@code
     * manager}.
     */
    TrainingStep(TransferNetwork network, NDManager manager, int batchSize, int imageSize) {
        this(
                network,
                manager,
                batchSize,
                imageSize,
                0,
                LossScaledOptimizer.forPrecision(network.precision(), Optimizer.rmsProp(1e-5f)));
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
        this.step = new OptimizerStep(network, optimizer);
        Parameter smallest = trainable.get(0);
        for (Parameter p : trainable) {
            smallest = p.getArray().size() < smallest.getArray().size() ? p : smallest;
        }
        this.smallestTrainable = smallest;
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
     * Milliseconds of one training step on the batch. Copying the batch into native memory is
     * outside the time, as a data loader would have done it; reading back one updated value is
     * inside, so that a GPU's queued kernels are waited for.
     */
    double step() {
        checkTrainable();
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.create(images, shape);
            NDArray y = batch.create(labels);
            long t0 = System.nanoTime();
            step.run(batch, x, y, null, 0, optimizer.learningRate()); // the trainer's own step
            smallestTrainable.getArray().toFloatArray(); // waits for the device
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    /**
     * From now on {@link #forward} runs the network with its base frozen (BatchNorm folded into the
     * convolutions), as the trainer's cache builds do; {@link #step} is no longer allowed.
     */
    void freezeBase() {
        network.freezeBase();
        frozen = true;
    }

    /**
     * Milliseconds of one inference forward of the batch to the logits, read back to the host
     * (which waits for a GPU). Copying the batch in is outside the time.
     */
    double forward() {
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.create(images, shape);
            ParameterStore ps = new ParameterStore(batch, false);
            long t0 = System.nanoTime();
            network.logitsFrom(ps, x, 0, false).toFloatArray();
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    /** The trainer's step without its update: gradients for {@link #update()}. */
    void backward() {
        checkTrainable();
        try (NDManager batch = manager.newSubManager()) {
            step.backward(batch, batch.create(images, shape), batch.create(labels), null, 0);
        }
    }

    /** The trainer's update alone, from the current gradients (zeroed by it). */
    void update() {
        step.update(optimizer.learningRate());
    }

    private void checkTrainable() {
        if (frozen) {
            throw new IllegalStateException("the base was frozen for the forward; no more steps");
        }
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

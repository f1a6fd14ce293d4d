package dev.catsdogs.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.model.TransferNetwork;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs epochs and evaluations of a {@link TransferNetwork} on a {@link Feed}: forward from the
 * feed's layer boundary, loss on logits, backward, one RMSprop step. Native memory is scoped per
 * batch.
 */
public final class TransferTrainer {

    private final TransferNetwork network;
    private final NDManager manager;
    private final List<TrainingListener> listeners;
    private final int classes;
    private final BooleanSupplier stopRequested;

    public TransferTrainer(TransferNetwork network, NDManager manager, int classes, List<TrainingListener> listeners) {
        this(network, manager, classes, listeners, () -> false);
    }

    /**
     * @param stopRequested polled between batches; when true the current epoch ends with {@link
     *     TrainingInterruptedException} (a flag, not {@link Thread#interrupt()}, which would also
     *     abort file writes in progress)
     */
    public TransferTrainer(TransferNetwork network, NDManager manager, int classes, List<TrainingListener> listeners,
            BooleanSupplier stopRequested) {
        this.network = network;
        this.manager = manager;
        this.classes = classes;
        this.listeners = List.copyOf(listeners);
        this.stopRequested = stopRequested;
    }

    void listenersPhaseStart(Phase phase, int firstEpoch, int lastEpoch) {
        listeners.forEach(l -> l.onPhaseStart(phase, firstEpoch, lastEpoch));
    }

    void listenersEpochEnd(EpochRecord record) {
        listeners.forEach(l -> l.onEpochEnd(record));
    }

    void listenersPhaseEnd(Phase phase, double seconds) {
        listeners.forEach(l -> l.onPhaseEnd(phase, seconds));
    }

    /** Mean loss and accuracy of one training epoch. */
    public record TrainMetrics(double loss, double accuracy, int images, double seconds) {}

    /**
     * Trains one epoch.
     *
     * @param epochIndex 0-based epoch of the feed's shuffle
     * @param epochNumber 1-based number shown to the user
     */
    public TrainMetrics trainEpoch(Phase phase, Feed feed, int epochIndex, int epochNumber, KerasRmsProp optimizer) {
        long start = System.nanoTime();
        double lossSum = 0;
        long correct = 0;
        int images = 0;
        var trainable = network.trainableParameters();
        try (Feed.Batches batches = feed.epoch(epochIndex)) {
            listeners.forEach(l -> l.onEpochStart(phase, epochNumber, batches.plannedBatches()));
            int batchIndex = 0;
            while (batches.hasNext()) {
                checkInterrupted();
                Feed.Batch batch = batches.next();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = input(scope, feed, batch);
                    NDArray y = labels(scope, batch);
                    ParameterStore ps = new ParameterStore(scope, false);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = network.logitsFrom(ps, x, feed.boundary(), true);
                        NDArray loss = Objective.loss(logits, y);
                        collector.backward(loss);
                        lossSum += loss.getFloat() * batch.size();
                        correct += Objective.correct(logits, y);
                    }
                    optimizer.step(trainable);
                }
                images += batch.size();
                batchIndex++;
                double seconds = (System.nanoTime() - start) / 1e9;
                for (TrainingListener l : listeners) {
                    l.onBatch(phase, epochNumber, batchIndex, lossSum / images, (double) correct / images, images / seconds);
                }
            }
        }
        return new TrainMetrics(lossSum / images, (double) correct / images, images, (System.nanoTime() - start) / 1e9);
    }

    /** Loss, accuracy and confusion matrix over at most {@code maxBatches} batches of a feed. */
    public Evaluation evaluate(Feed feed, int maxBatches) {
        double lossSum = 0;
        int images = 0;
        long[][] confusion = new long[classes][classes];
        try (Feed.Batches batches = feed.pass(maxBatches)) {
            while (batches.hasNext()) {
                checkInterrupted();
                Feed.Batch batch = batches.next();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = input(scope, feed, batch);
                    NDArray y = labels(scope, batch);
                    NDArray logits = network.logitsFrom(new ParameterStore(scope, false), x, feed.boundary(), false);
                    lossSum += Objective.loss(logits, y).getFloat() * batch.size();
                    int[] predicted = predictions(logits);
                    for (int i = 0; i < batch.size(); i++) {
                        confusion[batch.labels()[i]][predicted[i]]++;
                    }
                }
                images += batch.size();
            }
        }
        long correct = 0;
        for (int k = 0; k < classes; k++) {
            correct += confusion[k][k];
        }
        return new Evaluation(images == 0 ? Double.NaN : lossSum / images,
                images == 0 ? Double.NaN : (double) correct / images, images, confusion);
    }

    private static int[] predictions(NDArray logits) {
        if (logits.getShape().get(1) == 1) {
            float[] v = logits.toFloatArray();
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] >= 0 ? 1 : 0;
            }
            return out;
        }
        long[] argmax = logits.argMax(1).toLongArray();
        int[] out = new int[argmax.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) argmax[i];
        }
        return out;
    }

    private void checkInterrupted() {
        if (stopRequested.getAsBoolean()) {
            throw new TrainingInterruptedException();
        }
    }

    /** The batch's data as an array of shape {@code (N, sample shape...)}, owned by {@code scope}. */
    private static NDArray input(NDManager scope, Feed feed, Feed.Batch batch) {
        return scope.create(batch.data(), shape(batch.size(), feed.sampleShape()));
    }

    /** Class indices as floats, the form {@link Objective} takes. */
    private static NDArray labels(NDManager scope, Feed.Batch batch) {
        return scope.create(toFloats(batch.labels()));
    }

    private static Shape shape(int batch, long[] sample) {
        long[] dims = new long[sample.length + 1];
        dims[0] = batch;
        System.arraycopy(sample, 0, dims, 1, sample.length);
        return new Shape(dims);
    }

    private static float[] toFloats(int[] labels) {
        float[] out = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i];
        }
        return out;
    }

    /** Thrown when the training thread is interrupted (Ctrl-C). */
    public static final class TrainingInterruptedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TrainingInterruptedException() {
            super("training interrupted");
        }
    }
}

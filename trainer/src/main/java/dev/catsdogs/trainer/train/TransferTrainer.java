package dev.catsdogs.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Trains a {@link TransferNetwork} and fires every training event to its {@link TrainingListener}s:
 * the seed's whole workflow ({@link #fit}: evaluation before training, feature extraction,
 * fine-tuning, test), one phase ({@link #fitPhase}), or one epoch ({@link #trainEpoch}). A step is:
 * forward from the feed's layer boundary, loss on logits, backward, one optimizer update. Native
 * memory is scoped per batch.
 */
public final class TransferTrainer {

    private final TransferNetwork network;
    private final NDManager manager;
    private final List<TrainingListener> listeners;
    private final int classes;
    private final BooleanSupplier stopRequested;

    private TransferTrainer(Builder builder) {
        this.network = builder.network;
        this.manager = builder.manager;
        this.listeners = List.copyOf(builder.listeners);
        this.stopRequested = builder.stopRequested;
        int units = network.head().units();
        this.classes = units == 1 ? 2 : units; // one logit: a binary (sigmoid) head
    }

    /** A trainer without listeners. */
    public TransferTrainer(TransferNetwork network, NDManager manager) {
        this(builder(network, manager));
    }

    /** Starts a builder; batches are created in sub-managers of {@code manager}. */
    public static Builder builder(TransferNetwork network, NDManager manager) {
        return new Builder(network, manager);
    }

    /** Builder: the network and manager are required; listeners and the stop signal optional. */
    public static final class Builder {
        private final TransferNetwork network;
        private final NDManager manager;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private BooleanSupplier stopRequested = () -> false;

        private Builder(TransferNetwork network, NDManager manager) {
            this.network = Objects.requireNonNull(network, "network");
            this.manager = Objects.requireNonNull(manager, "manager");
        }

        /** Adds a listener; listeners are called in the order they were added. */
        public Builder addListener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Polled between batches; when true the current epoch ends with {@link
         * TrainingInterruptedException} (a flag, not {@link Thread#interrupt()}, which would also
         * abort file writes in progress).
         */
        public Builder optStopSignal(BooleanSupplier stopRequested) {
            this.stopRequested = Objects.requireNonNull(stopRequested, "stopRequested");
            return this;
        }

        public TransferTrainer build() {
            return new TransferTrainer(this);
        }
    }

    /** Mean loss and accuracy of one training epoch. */
    public record TrainMetrics(double loss, double accuracy, int images, double seconds) {}

    /**
     * The seed's workflow, with the base already frozen: evaluate the untrained head, feature
     * extraction, fine-tuning from {@code fineTuneAt} (when it has epochs), then the test split.
     * Ends with {@link TrainingListener#onTrainingEnd} whatever happens.
     *
     * @throws TrainingInterruptedException when the stop signal was raised
     */
    public void fit(TrainingContext context) throws IOException {
        BatchLoader train = context.train();
        BatchLoader validation = context.validation();
        BatchLoader test = context.test();
        long started = System.nanoTime();
        TrainingConfig config = context.config();
        FeedFactory feeds = new FeedFactory(config, network, manager, listeners, this::checkStop);
        try {
            for (TrainingListener l : listeners) {
                l.onTrainingBegin(context);
            }
            // Feature extraction: the whole base is frozen, so its pooled output is cached.
            int pooled = network.base().layers().size();
            long phaseStart = System.nanoTime();
            try (Feed trainFeed = feeds.feed(train, pooled, "train");
                    Feed valFeed = feeds.feed(validation, pooled, "validation")) {
                Evaluation initial = evaluate(valFeed, config.evaluationSteps());
                for (TrainingListener l : listeners) {
                    l.onEvaluation(TrainingListener.Stage.INITIAL, initial);
                }
                try (Optimizer optimizer =
                        optimizer(config, config.optimizer(), config.learningRate())) {
                    fitPhase(
                            Phase.FEATURE_EXTRACTION,
                            trainFeed,
                            valFeed,
                            0,
                            config.initialEpochs(),
                            optimizer,
                            phaseStart);
                }
            }
            if (config.fineTuneEpochs() > 0) {
                network.setTrainableFrom(config.fineTuneAt());
                int cut = network.base().cutPointAtOrBefore(config.fineTuneAt());
                long fineTuneStart = System.nanoTime();
                try (Feed trainFeed = feeds.feed(train, cut, "train");
                        Feed valFeed = feeds.feed(validation, cut, "validation");
                        Optimizer optimizer =
                                optimizer(
                                        config,
                                        config.fineTuneOptimizer(),
                                        config.fineTuneLearningRate())) {
                    fitPhase(
                            Phase.FINE_TUNING,
                            trainFeed,
                            valFeed,
                            config.initialEpochs(),
                            config.fineTuneEpochs(),
                            optimizer,
                            fineTuneStart);
                }
            }
            if (test != null) {
                Evaluation e = evaluate(new ImageFeed(test, config.imageSize()), Integer.MAX_VALUE);
                for (TrainingListener l : listeners) {
                    l.onEvaluation(TrainingListener.Stage.TEST, e);
                }
            }
        } catch (TrainingInterruptedException e) {
            end(TrainingOutcome.Status.INTERRUPTED, null, started, e);
            throw e;
        } catch (IOException | RuntimeException e) {
            end(TrainingOutcome.Status.FAILED, describe(e), started, e);
            throw e;
        }
        end(TrainingOutcome.Status.COMPLETED, null, started, null);
    }

    // A user reads the report: the failure's own message, a class name only when it has none.
    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /**
     * Trains {@code epochs} epochs of one phase, validating after each.
     *
     * @param firstEpochIndex 0-based index of the first epoch, continuing across phases
     * @param phaseStartNanos when the phase started ({@link System#nanoTime()}), before its caches
     *     were built: the phase's time includes them
     * @return the epochs' records
     */
    public List<EpochRecord> fitPhase(
            Phase phase,
            Feed trainFeed,
            Feed valFeed,
            int firstEpochIndex,
            int epochs,
            Optimizer optimizer,
            long phaseStartNanos)
            throws IOException {
        List<EpochRecord> records = new ArrayList<>();
        if (epochs == 0) {
            return records;
        }
        PhaseStart start =
                new PhaseStart(
                        phase,
                        firstEpochIndex + 1,
                        firstEpochIndex + epochs,
                        optimizer.learningRate(),
                        trainFeed.boundary(),
                        network.trainableParameters().size(),
                        trainableParams(),
                        (System.nanoTime() - phaseStartNanos) / 1e9);
        for (TrainingListener l : listeners) {
            l.onPhaseBegin(start);
        }
        for (int e = firstEpochIndex; e < firstEpochIndex + epochs; e++) {
            long epochStart = System.nanoTime();
            TrainMetrics m = trainEpoch(phase, trainFeed, e, e + 1, optimizer);
            checkFiniteWeights(e + 1, optimizer);
            Evaluation v = evaluate(valFeed, Integer.MAX_VALUE);
            EpochRecord record =
                    new EpochRecord(
                            phase,
                            e + 1,
                            m.loss(),
                            m.accuracy(),
                            v.loss(),
                            v.accuracy(),
                            (System.nanoTime() - epochStart) / 1e9,
                            m.images() / m.seconds());
            records.add(record);
            for (TrainingListener l : listeners) {
                l.onEpochEnd(record);
            }
        }
        double seconds = (System.nanoTime() - phaseStartNanos) / 1e9;
        for (TrainingListener l : listeners) {
            l.onPhaseEnd(phase, seconds);
        }
        return records;
    }

    /**
     * Trains one epoch.
     *
     * @param epochIndex 0-based epoch of the feed's shuffle
     * @param epochNumber 1-based number shown to the user
     */
    public TrainMetrics trainEpoch(
            Phase phase, Feed feed, int epochIndex, int epochNumber, Optimizer optimizer) {
        long start = System.nanoTime();
        double lossSum = 0;
        long correct = 0;
        int images = 0;
        List<Parameter> trainable = network.trainableParameters();
        try (Feed.Batches batches = feed.epoch(epochIndex)) {
            for (TrainingListener l : listeners) {
                l.onEpochStart(phase, epochNumber, batches.plannedBatches());
            }
            int batchIndex = 0;
            while (batches.hasNext()) {
                checkStop();
                Feed.Batch batch = batches.next();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = batch.input(scope);
                    NDArray y = labels(scope, batch);
                    ParameterStore ps = new ParameterStore(scope, false);
                    try (GradientCollector collector =
                            Engine.getInstance().newGradientCollector()) {
                        NDArray logits = network.logitsFrom(ps, x, feed.boundary(), true);
                        NDArray loss = Objective.loss(logits, y);
                        float batchLoss = loss.getFloat();
                        if (!Float.isFinite(batchLoss)) {
                            throw new TrainingDivergedException(
                                    "the loss became "
                                            + batchLoss
                                            + " at epoch "
                                            + epochNumber
                                            + ", batch "
                                            + (batchIndex + 1)
                                            + optimizerHint(optimizer));
                        }
                        collector.backward(optimizer.scaleLoss(loss));
                        lossSum += batchLoss * batch.size();
                        correct += Objective.correct(Objective.predictions(logits), batch.labels());
                    }
                    optimizer.step(trainable);
                }
                images += batch.size();
                batchIndex++;
                double seconds = (System.nanoTime() - start) / 1e9;
                for (TrainingListener l : listeners) {
                    l.onBatch(
                            phase,
                            epochNumber,
                            batchIndex,
                            lossSum / images,
                            (double) correct / images,
                            images / seconds);
                }
            }
        }
        return new TrainMetrics(
                lossSum / images,
                (double) correct / images,
                images,
                (System.nanoTime() - start) / 1e9);
    }

    /** Loss, accuracy and confusion matrix over at most {@code maxBatches} batches of a feed. */
    public Evaluation evaluate(Feed feed, int maxBatches) {
        double lossSum = 0;
        int images = 0;
        long[][] confusion = new long[classes][classes];
        try (Feed.Batches batches = feed.pass(maxBatches)) {
            while (batches.hasNext()) {
                checkStop();
                Feed.Batch batch = batches.next();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = batch.input(scope);
                    NDArray y = labels(scope, batch);
                    NDArray logits =
                            network.logitsFrom(
                                    new ParameterStore(scope, false), x, feed.boundary(), false);
                    lossSum += Objective.loss(logits, y).getFloat() * batch.size();
                    int[] predicted = Objective.predictions(logits);
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
        return new Evaluation(
                images == 0 ? Double.NaN : lossSum / images,
                images == 0 ? Double.NaN : (double) correct / images,
                images,
                confusion);
    }

    private void end(
            TrainingOutcome.Status status, String error, long startedNanos, Exception cause)
            throws IOException {
        TrainingOutcome outcome =
                new TrainingOutcome(status, error, (System.nanoTime() - startedNanos) / 1e9);
        for (TrainingListener l : listeners) {
            try {
                l.onTrainingEnd(outcome);
            } catch (IOException | RuntimeException e) {
                if (cause == null) {
                    throw e;
                }
                cause.addSuppressed(e); // the first failure is the one to report
            }
        }
    }

    /** Keras' {@code TerminateOnNaN}, for the weights: an update can overflow without the loss. */
    private void checkFiniteWeights(int epochNumber, Optimizer optimizer) {
        for (Parameter p : network.trainableParameters()) {
            NDArray w = p.getArray();
            if (w.isNaN().any().getBoolean() || w.isInfinite().any().getBoolean()) {
                throw new TrainingDivergedException(
                        "weights of "
                                + p.getName()
                                + " became NaN or infinite in epoch "
                                + epochNumber
                                + optimizerHint(optimizer));
            }
        }
    }

    private static String optimizerHint(Optimizer optimizer) {
        return " (learning rate "
                + optimizer.learningRate()
                + "; a lower one usually trains; the last good parameters are in the run's"
                + " checkpoint)";
    }

    private static Optimizer optimizer(
            TrainingConfig config, OptimizerType type, float learningRate) {
        return LossScaledOptimizer.forPrecision(
                config.precision(), type.create(learningRate, config.rho(), config.epsilon()));
    }

    private long trainableParams() {
        long n = 0;
        for (Parameter p : network.trainableParameters()) {
            n += p.getShape().size();
        }
        return n;
    }

    private void checkStop() {
        if (stopRequested.getAsBoolean()) {
            throw new TrainingInterruptedException();
        }
    }

    /** Class indices as floats, the form {@link Objective} takes. */
    private static NDArray labels(NDManager scope, Feed.Batch batch) {
        return scope.create(toFloats(batch.labels()));
    }

    private static float[] toFloats(int[] labels) {
        float[] out = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i];
        }
        return out;
    }

    /** Training diverged: the loss or a weight stopped being a finite number. */
    public static final class TrainingDivergedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TrainingDivergedException(String message) {
            super("training stopped: " + message);
        }
    }

    /** Thrown when a stop was requested (Ctrl-C). */
    public static final class TrainingInterruptedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TrainingInterruptedException() {
            super("training interrupted");
        }
    }
}

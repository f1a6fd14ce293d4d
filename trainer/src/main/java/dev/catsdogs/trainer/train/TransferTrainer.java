package dev.catsdogs.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.tracker.Tracker;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Seeds;
import dev.catsdogs.trainer.feed.Feed;
import dev.catsdogs.trainer.feed.ImageFeed;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.LossScaledOptimizer;
import dev.catsdogs.trainer.optimizer.Optimizer;
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
    private final TrainingState resumeFrom;
    // Every completed epoch of the run, the resumed ones first: what checkpoints record.
    private final List<EpochRecord> history = new ArrayList<>();

    private TransferTrainer(Builder builder) {
        this.network = builder.network;
        this.manager = builder.manager;
        this.listeners = List.copyOf(builder.listeners);
        this.stopRequested = builder.stopRequested;
        this.resumeFrom = builder.resumeFrom;
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
        private TrainingState resumeFrom;

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

        /**
         * Continues an interrupted run after its checkpoint's last epoch ({@code train --resume}):
         * the network already holds the checkpoint's parameters.
         */
        public Builder optResumeFrom(TrainingState state) {
            this.resumeFrom = Objects.requireNonNull(state, "state");
            return this;
        }

        public TransferTrainer build() {
            return new TransferTrainer(this);
        }
    }

    /** Mean loss and accuracy of one training epoch. */
    record TrainMetrics(double loss, double accuracy, int images, double seconds) {}

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
        float[] classWeights = config.classWeighting().weights(context.dataset().train(), classes);
        try {
            for (TrainingListener l : listeners) {
                l.onTrainingBegin(context);
            }
            if (resumeFrom != null) {
                history.addAll(resumeFrom.history());
                for (TrainingListener l : listeners) {
                    l.onResume(resumeFrom);
                }
            }
            if (resumeFrom == null || !resumeFrom.finished(Phase.FEATURE_EXTRACTION)) {
                // Feature extraction: the whole base is frozen, so its pooled output is cached.
                int pooled = network.base().layers().size();
                long phaseStart = System.nanoTime();
                try (Feed trainFeed = feeds.feed(train, pooled, "train");
                        Feed valFeed = feeds.feed(validation, pooled, "validation")) {
                    if (resumeFrom == null) {
                        Evaluation initial = evaluate(valFeed, config.evaluationSteps());
                        for (TrainingListener l : listeners) {
                            l.onEvaluation(TrainingListener.Stage.INITIAL, initial);
                        }
                    }
                    try (Optimizer optimizer = optimizer(config, config.featureExtraction())) {
                        fitPhase(
                                Phase.FEATURE_EXTRACTION,
                                new PhasePlan(
                                        trainFeed,
                                        valFeed,
                                        0,
                                        config.featureExtraction().epochs(),
                                        optimizer,
                                        phaseStart,
                                        config,
                                        classWeights));
                    }
                }
            }
            if (config.fineTuning().epochs() > 0
                    && (resumeFrom == null || !resumeFrom.finished(Phase.FINE_TUNING))) {
                network.setTrainableFrom(config.model().fineTuneAt());
                int cut = network.base().cutPointAtOrBefore(config.model().fineTuneAt());
                long fineTuneStart = System.nanoTime();
                try (Feed trainFeed = feeds.feed(train, cut, "train");
                        Feed valFeed = feeds.feed(validation, cut, "validation");
                        Optimizer optimizer = optimizer(config, config.fineTuning())) {
                    fitPhase(
                            Phase.FINE_TUNING,
                            new PhasePlan(
                                    trainFeed,
                                    valFeed,
                                    config.featureExtraction().epochs(),
                                    config.fineTuning().epochs(),
                                    optimizer,
                                    fineTuneStart,
                                    config,
                                    classWeights));
                }
            }
            if (test != null) {
                Evaluation e =
                        evaluate(new ImageFeed(test, config.data().imageSize()), Integer.MAX_VALUE);
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

    /**
     * One phase as {@link #fit} runs it.
     *
     * @param trainFeed the training feed
     * @param valFeed the validation feed
     * @param firstEpochIndex 0-based index of the phase's first epoch, continuing across phases
     * @param epochs the phase's epochs
     * @param optimizer the phase's optimizer (its learning rate is the schedule's base)
     * @param phaseStartNanos when the phase started ({@link System#nanoTime()}), before its caches
     *     were built: the phase's time includes them
     * @param config the run's settings: seed, schedule, early stopping
     * @param classWeights each class's weight in the training loss, or null (the plain mean)
     */
    public record PhasePlan(
            Feed trainFeed,
            Feed valFeed,
            int firstEpochIndex,
            int epochs,
            Optimizer optimizer,
            long phaseStartNanos,
            TrainingConfig config,
            float[] classWeights) {}

    // A user reads the report: the failure's own message, a class name only when it has none.
    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /**
     * Trains one phase, validating after each epoch: from its first epoch, or after the resumed
     * checkpoint's last. Stops early when its {@link EarlyStopping} says so, restoring the best
     * epoch's weights. After each epoch the state is final and listeners checkpoint it.
     *
     * @return the phase's records of this call
     */
    public List<EpochRecord> fitPhase(Phase phase, PhasePlan plan) throws IOException {
        List<EpochRecord> records = new ArrayList<>();
        if (plan.epochs() == 0) {
            return records;
        }
        Optimizer optimizer = plan.optimizer();
        TrainingConfig config = plan.config();
        PhaseSettings settings = config.phase(phase);
        EarlyStopping stopping = settings.earlyStopping();
        List<Parameter> trainable = network.trainableParameters();
        int first = plan.firstEpochIndex();
        int end = first + plan.epochs();
        EarlyStopping.State stoppingState = EarlyStopping.State.START;
        int from = first;
        try (NDManager phaseScope = manager.newSubManager()) {
            NDList best = null; // trainable weights of the best epoch, with early stopping
            if (resumeFrom != null && resumeFrom.continues(phase)) {
                from = resumeFrom.epochsDone();
                stoppingState = resumeFrom.earlyStopping();
                optimizer.restore(trainable, resumeFrom.optimizer());
                if (resumeFrom.bestWeights() != null) {
                    best = copyOf(resumeFrom.bestWeights(), phaseScope);
                }
            }
            int stepsPerEpoch =
                    Math.max(1, ceilDiv(plan.trainFeed().size(), config.data().batchSize()));
            Tracker rates =
                    settings.learningRateSchedule()
                            .tracker(optimizer.learningRate(), plan.epochs(), stepsPerEpoch);
            PhaseStart start =
                    new PhaseStart(
                            phase,
                            first + 1,
                            end,
                            optimizer.learningRate(),
                            plan.trainFeed().boundary(),
                            trainable.size(),
                            trainableParams(),
                            (System.nanoTime() - plan.phaseStartNanos()) / 1e9);
            for (TrainingListener l : listeners) {
                l.onPhaseBegin(start);
            }
            for (int e = from; e < end; e++) {
                long epochStart = System.nanoTime();
                // Dropout's generator, from the seed and the epoch: a resumed run draws alike.
                Engine.getInstance()
                        .setRandomSeed((int) Seeds.derive(config.seed(), "dropout/epoch/" + e));
                EpochSchedule schedule =
                        new EpochSchedule(rates, (e - first) * stepsPerEpoch, plan.classWeights());
                TrainMetrics m = trainEpoch(phase, plan.trainFeed(), e, e + 1, optimizer, schedule);
                checkFiniteWeights(e + 1, optimizer);
                Evaluation v = evaluate(plan.valFeed(), Integer.MAX_VALUE);
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
                history.add(record);
                for (TrainingListener l : listeners) {
                    l.onEpochEnd(record);
                }
                boolean stop = false;
                if (stopping.enabled()) {
                    stoppingState = stoppingState.after(e + 1, v.loss(), stopping.minDelta());
                    if (stoppingState.improvedAt(e + 1)) {
                        if (best != null) {
                            best.close();
                        }
                        best = snapshot(trainable, phaseScope);
                    }
                    stop = stopping.stops(stoppingState) && e + 1 < end;
                }
                if (stop) {
                    restore(trainable, best);
                    for (TrainingListener l : listeners) {
                        l.onEarlyStop(
                                phase, e + 1, stoppingState.bestEpoch(), stoppingState.best());
                    }
                }
                boolean finished = stop || e + 1 == end;
                checkpoint(phase, e + 1, finished, stoppingState, optimizer, best, trainable);
                if (stop) {
                    break;
                }
            }
        }
        double seconds = (System.nanoTime() - plan.phaseStartNanos()) / 1e9;
        for (TrainingListener l : listeners) {
            l.onPhaseEnd(phase, seconds);
        }
        return records;
    }

    // The state after an epoch, handed to the listeners that save it; its copies freed after.
    private void checkpoint(
            Phase phase,
            int epochsDone,
            boolean finished,
            EarlyStopping.State stoppingState,
            Optimizer optimizer,
            NDList best,
            List<Parameter> trainable)
            throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            TrainingState state =
                    new TrainingState(
                            epochsDone,
                            phase,
                            finished,
                            stoppingState,
                            history,
                            finished ? null : optimizer.state(trainable, scope),
                            finished ? null : best);
            for (TrainingListener l : listeners) {
                l.onCheckpoint(state);
            }
        }
    }

    // Detached copies: the values at this moment, not a view that the next update changes.
    private static NDList snapshot(List<Parameter> parameters, NDManager owner) {
        NDList copies = new NDList(parameters.size());
        for (Parameter p : parameters) {
            NDArray copy = p.getArray().stopGradient().duplicate();
            copy.attach(owner);
            copies.add(copy);
        }
        return copies;
    }

    private static NDList copyOf(NDList arrays, NDManager owner) {
        NDList copies = new NDList(arrays.size());
        for (NDArray a : arrays) {
            NDArray copy = a.duplicate();
            copy.attach(owner);
            copies.add(copy);
        }
        return copies;
    }

    // In place, so the network's parameter arrays (and anything holding them) stay the same.
    private static void restore(List<Parameter> parameters, NDList values) {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.get(i).getArray();
            NDArray value = values.get(i).toDevice(weight.getDevice(), false);
            weight.set(value.toByteBuffer());
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * What a step needs besides the batch: the learning rate of each step of the phase, where this
     * epoch's first step stands in it, and the classes' loss weights (null: none).
     */
    record EpochSchedule(Tracker rates, int firstStep, float[] classWeights) {

        /** A constant rate and no weights: the tutorial's step. */
        static EpochSchedule constant(float learningRate) {
            return new EpochSchedule(Tracker.fixed(learningRate), 0, null);
        }
    }

    /** Trains one epoch at the optimizer's own, constant learning rate, without class weights. */
    TrainMetrics trainEpoch(
            Phase phase, Feed feed, int epochIndex, int epochNumber, Optimizer optimizer) {
        return trainEpoch(
                phase,
                feed,
                epochIndex,
                epochNumber,
                optimizer,
                EpochSchedule.constant(optimizer.learningRate()));
    }

    /**
     * Trains one epoch.
     *
     * @param epochIndex 0-based epoch of the feed's shuffle
     * @param epochNumber 1-based number shown to the user
     */
    TrainMetrics trainEpoch(
            Phase phase,
            Feed feed,
            int epochIndex,
            int epochNumber,
            Optimizer optimizer,
            EpochSchedule schedule) {
        long start = System.nanoTime();
        double lossSum = 0;
        long correct = 0;
        int images = 0;
        OptimizerStep step = new OptimizerStep(network, optimizer);
        try (Feed.Batches batches = feed.epoch(epochIndex)) {
            for (TrainingListener l : listeners) {
                l.onEpochStart(phase, epochNumber, batches.plannedBatches());
            }
            int batchIndex = 0;
            while (batches.hasNext()) {
                checkStop();
                Feed.Batch batch = batches.next();
                try (NDManager scope = manager.newSubManager()) {
                    OptimizerStep.Result r =
                            step.run(
                                    scope,
                                    batch.input(scope),
                                    labels(scope, batch),
                                    sampleWeights(scope, batch, schedule.classWeights()),
                                    feed.boundary(),
                                    schedule.rates()
                                            .getNewValue(schedule.firstStep() + batchIndex));
                    if (!Float.isFinite(r.loss())) {
                        throw new TrainingDivergedException(
                                "the loss became "
                                        + r.loss()
                                        + " at epoch "
                                        + epochNumber
                                        + ", batch "
                                        + (batchIndex + 1)
                                        + optimizerHint(optimizer));
                    }
                    lossSum += r.loss() * batch.size();
                    correct += Objective.correct(r.predictions(), batch.labels());
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

    // Each image's class weight, or null when the classes are not weighted.
    private static NDArray sampleWeights(NDManager scope, Feed.Batch batch, float[] classWeights) {
        if (classWeights == null) {
            return null;
        }
        int[] labels = batch.labels();
        float[] weights = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            weights[i] = classWeights[labels[i]];
        }
        return scope.create(weights);
    }

    /** Loss, accuracy and confusion matrix over at most {@code maxBatches} batches of a feed. */
    Evaluation evaluate(Feed feed, int maxBatches) {
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

    private static Optimizer optimizer(TrainingConfig config, PhaseSettings phase) {
        return LossScaledOptimizer.forPrecision(
                config.runtime().precision(), phase.optimizer().create(phase.learningRate()));
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
}

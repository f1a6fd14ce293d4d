package dev.catsdogs.trainer.optimizer;

import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import java.util.Locale;

/**
 * How the learning rate moves within a phase, step by step: constant (the tutorial), or a linear
 * warm-up from 0 over {@code warmupEpochs} epochs followed by a cosine decay to 0 at the phase's
 * last step. DJL's trackers compute the values.
 *
 * @param kind constant or cosine
 * @param warmupEpochs epochs of linear warm-up at the start of each phase (cosine only)
 */
public record LearningRateSchedule(Kind kind, int warmupEpochs) {

    /** The tutorial's: the phase's learning rate at every step. */
    public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Kind.CONSTANT, 0);

    /** The shapes a schedule can have. */
    public enum Kind {
        CONSTANT,
        COSINE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public LearningRateSchedule {
        kind = kind == null ? Kind.CONSTANT : kind; // config.json from before schedules
        if (warmupEpochs < 0) {
            throw new IllegalArgumentException(
                    "Received warmupEpochs=" + warmupEpochs + "; expected >= 0");
        }
        if (kind == Kind.CONSTANT && warmupEpochs > 0) {
            throw new IllegalArgumentException(
                    "Received warmupEpochs="
                            + warmupEpochs
                            + "; expected 0 with a constant learning rate (warm-up belongs to the"
                            + " cosine schedule)");
        }
    }

    /**
     * The learning rate at each step of a phase.
     *
     * @param base the phase's learning rate
     * @param epochs the phase's epochs
     * @param stepsPerEpoch its optimizer steps per epoch
     */
    public Tracker tracker(float base, int epochs, int stepsPerEpoch) {
        if (kind == Kind.CONSTANT) {
            return Tracker.fixed(base);
        }
        int warmupSteps = Math.min(warmupEpochs, epochs) * stepsPerEpoch;
        int decaySteps = Math.max(1, (epochs * stepsPerEpoch) - warmupSteps);
        Tracker cosine =
                Tracker.cosine()
                        .setBaseValue(base)
                        .optFinalValue(0f)
                        .setMaxUpdates(decaySteps)
                        .build();
        if (warmupSteps == 0) {
            return cosine;
        }
        return Tracker.warmUp()
                .setMainTracker(cosine)
                .optWarmUpSteps(warmupSteps)
                .optWarmUpBeginValue(0f)
                .optWarmUpMode(WarmUpTracker.Mode.LINEAR)
                .build();
    }
}

package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.tracker.Tracker;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.feed.Feed;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Early stopping, learning-rate schedules and class weights: each on numbers worked out by hand,
 * and early stopping end to end on a phase whose validation loss is made to rise.
 */
class FitPolicyTest {

    // A synthetic validation curve: best at epoch 3, then no improvement (epoch 5 by less than
    // min_delta); patience 2 stops after epoch 5 and keeps epoch 3.
    @Test
    void earlyStoppingStopsAtTheRightEpochOnASyntheticCurve() {
        EarlyStopping stopping = new EarlyStopping(2, 0.01f);
        double[] valLoss = {0.9, 0.7, 0.5, 0.6, 0.495, 0.3};
        EarlyStopping.State state = EarlyStopping.State.START;
        int stoppedAfter = -1;
        for (int epoch = 1; epoch <= valLoss.length; epoch++) {
            state = state.after(epoch, valLoss[epoch - 1], stopping.minDelta());
            if (stopping.stops(state)) {
                stoppedAfter = epoch;
                break;
            }
        }
        assertEquals(5, stoppedAfter, "0.495 is not below 0.5 - 0.01");
        assertEquals(3, state.bestEpoch());
        assertEquals(0.5, state.best());
        assertFalse(
                EarlyStopping.OFF.stops(new EarlyStopping.State(0.1, 1, 99)), "off never stops");
        assertFalse(
                stopping.stops(EarlyStopping.State.START.after(1, Double.NaN, 0f)),
                "a NaN loss is no improvement but counts one epoch");
        assertEquals(
                1, EarlyStopping.State.START.after(1, Double.NaN, 0f).epochsWithoutImprovement());
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(-1, 0f));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(2, -0.1f));
    }

    @Test
    void cosineScheduleWarmsUpThenDecaysToZeroAtThePhasesEnd() {
        // 5 epochs of 10 steps, 1 warm-up epoch: steps 0..9 warm up, 10..49 decay.
        Tracker rates =
                new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1).tracker(1e-3f, 5, 10);
        assertEquals(0f, rates.getNewValue(0), 1e-9f, "the warm-up starts at 0");
        assertEquals(0.5e-3f, rates.getNewValue(5), 1e-9f, "linear: half way at step 5");
        assertEquals(1e-3f, rates.getNewValue(10), 1e-9f, "the base rate at the warm-up's end");
        assertEquals(
                0.5e-3f, rates.getNewValue(30), 1e-8f, "cos(pi/2): half way through the decay");
        assertEquals(0f, rates.getNewValue(50), 1e-9f, "0 at the phase's end");
        assertTrue(rates.getNewValue(49) > 0 && rates.getNewValue(49) < 1e-5f);
        Tracker noWarmup =
                new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0).tracker(2f, 2, 4);
        assertEquals(2f, noWarmup.getNewValue(0), 1e-6f);
        assertEquals(1f, noWarmup.getNewValue(4), 1e-6f);
        assertEquals(3e-4f, LearningRateSchedule.CONSTANT.tracker(3e-4f, 5, 10).getNewValue(37));
        assertThrows(
                IllegalArgumentException.class,
                () -> new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 2),
                "warm-up belongs to cosine");
    }

    @Test
    void balancedWeightsForAKnownCount() {
        // 1,000 dogs and 100 cats: 1100 / (2 * 100) = 5.5 and 1100 / (2 * 1000) = 0.55.
        List<Sample> train = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            train.add(new Sample(Path.of("cat" + i + ".jpg"), 0));
        }
        for (int i = 0; i < 1000; i++) {
            train.add(new Sample(Path.of("dog" + i + ".jpg"), 1));
        }
        assertArrayEquals(
                new float[] {5.5f, 0.55f}, ClassWeighting.BALANCED.weights(train, 2), 1e-6f);
        assertEquals(null, ClassWeighting.NONE.weights(train, 2));
    }

    @Test
    void weightedLossIsTheMeanOfWeightedImageLosses() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits =
                    manager.create(
                            new float[] {2f, -1f, 0.5f}, new ai.djl.ndarray.types.Shape(3, 1));
            NDArray labels = manager.create(new float[] {1f, 1f, 0f});
            float[] each = new float[3];
            float[] x = {2f, -1f, 0.5f};
            float[] y = {1f, 1f, 0f};
            for (int i = 0; i < 3; i++) {
                each[i] =
                        (float)
                                (Math.max(x[i], 0)
                                        - x[i] * y[i]
                                        + Math.log1p(Math.exp(-Math.abs(x[i]))));
            }
            float weighted = (5.5f * each[0] + 5.5f * each[1] + 0.55f * each[2]) / 3;
            NDArray weights = manager.create(new float[] {5.5f, 5.5f, 0.55f});
            assertEquals(weighted, Objective.loss(logits, labels, weights).getFloat(), 1e-5f);
            assertEquals(
                    Objective.loss(logits, labels).getFloat(),
                    Objective.loss(logits, labels, null).getFloat(),
                    "no weights: the plain mean, bit for bit");
        }
    }

    /**
     * A phase on pooled features whose validation labels are the opposite of the training ones: the
     * more the head learns, the higher the validation loss, so epoch 1 is the best and, with
     * patience 2, the phase stops after epoch 3 and the head gets epoch 1's weights back.
     */
    @Test
    void aPhaseStopsEarlyAndRestoresTheBestEpochsWeights() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork network = TransferNetwork.create(32, 2);
            network.initialize(
                    manager,
                    ai.djl.ndarray.types.DataType.FLOAT32,
                    new ai.djl.ndarray.types.Shape(1, 3, 32, 32));
            network.freezeBase();
            int pooled = network.base().layers().size();
            float[][] features = new float[64][1280];
            Random random = new Random(3);
            for (float[] f : features) {
                for (int j = 0; j < f.length; j++) {
                    f[j] = random.nextFloat();
                }
            }
            int[] labels = new int[64];
            int[] flipped = new int[64];
            for (int i = 0; i < 64; i++) {
                labels[i] = features[i][0] > 0.5f ? 1 : 0;
                flipped[i] = 1 - labels[i];
            }
            List<float[]> atEpochEnd = new ArrayList<>();
            List<Integer> stopped = new ArrayList<>();
            TransferTrainer trainer =
                    TransferTrainer.builder(network, manager)
                            .addListener(
                                    new TrainingListener() {
                                        @Override
                                        public void onEpochEnd(EpochRecord record) {
                                            atEpochEnd.add(headWeights(network));
                                        }

                                        @Override
                                        public void onEarlyStop(
                                                Phase phase,
                                                int stoppedEpoch,
                                                int kept,
                                                double best) {
                                            stopped.add(stoppedEpoch);
                                            stopped.add(kept);
                                        }
                                    })
                            .build();
            TrainingConfig seed = TrainingConfig.of(Recipe.SEED, Path.of("unused"));
            TrainingConfig config =
                    seed.withData(seed.data().withBatchSize(16))
                            .withFeatureExtraction(
                                    seed.featureExtraction()
                                            .withEarlyStopping(new EarlyStopping(2, 0f)))
                            .withFineTuning(seed.fineTuning());
            try (Feed train = new ArrayFeed(features, labels, pooled, 16);
                    Feed validation = new ArrayFeed(features, flipped, pooled, 16);
                    Optimizer optimizer = Optimizer.rmsProp(1e-3f)) {
                List<EpochRecord> records =
                        trainer.fitPhase(
                                Phase.FEATURE_EXTRACTION,
                                new TransferTrainer.PhasePlan(
                                        train,
                                        validation,
                                        0,
                                        10,
                                        optimizer,
                                        System.nanoTime(),
                                        config,
                                        null));
                // Whatever the curve: the phase stops PATIENCE epochs after its best one, before
                // its last, and the network holds the best epoch's weights again.
                assertEquals(2, stopped.size(), "stopped early: " + records);
                int stoppedAfter = stopped.get(0);
                int kept = stopped.get(1);
                assertEquals(records.size(), stoppedAfter, records.toString());
                assertEquals(kept + 2, stoppedAfter, "patience 2: " + records);
                for (EpochRecord r : records) {
                    assertTrue(r.valLoss() >= records.get(kept - 1).valLoss(), records.toString());
                }
                assertArrayEquals(atEpochEnd.get(kept - 1), headWeights(network), "kept epoch's");
                assertNotEquals(
                        java.util.Arrays.toString(atEpochEnd.get(stoppedAfter - 1)),
                        java.util.Arrays.toString(headWeights(network)),
                        "not the last epoch's");
            }
        }
    }

    private static float[] headWeights(TransferNetwork network) {
        List<Parameter> head = network.trainableParameters();
        List<Float> all = new ArrayList<>();
        for (Parameter p : head) {
            for (float v : p.getArray().toFloatArray()) {
                all.add(v);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    /** Pooled features held in memory, in order (no shuffling needed here). */
    private static final class ArrayFeed implements Feed {
        private final float[][] data;
        private final int[] labels;
        private final int boundary;
        private final int batchSize;

        ArrayFeed(float[][] data, int[] labels, int boundary, int batchSize) {
            this.data = data;
            this.labels = labels;
            this.boundary = boundary;
            this.batchSize = batchSize;
        }

        @Override
        public int boundary() {
            return boundary;
        }

        @Override
        public long[] sampleShape() {
            return new long[] {data[0].length};
        }

        @Override
        public Batches epoch(int epoch) {
            return pass(Integer.MAX_VALUE);
        }

        @Override
        public Batches pass(int maxBatches) {
            int batches = Math.min(maxBatches, (data.length + batchSize - 1) / batchSize);
            Iterator<Batch> it =
                    new Iterator<>() {
                        int next;

                        @Override
                        public boolean hasNext() {
                            return next < batches;
                        }

                        @Override
                        public Batch next() {
                            int from = next++ * batchSize;
                            int n = Math.min(batchSize, data.length - from);
                            float[] flat = new float[n * data[0].length];
                            int[] y = new int[n];
                            for (int i = 0; i < n; i++) {
                                System.arraycopy(
                                        data[from + i],
                                        0,
                                        flat,
                                        i * data[0].length,
                                        data[0].length);
                                y[i] = labels[from + i];
                            }
                            return new HostBatch(flat, sampleShape(), y, n);
                        }
                    };
            return new Batches() {
                @Override
                public int plannedBatches() {
                    return batches;
                }

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Batch next() {
                    return it.next();
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public int size() {
            return data.length;
        }

        @Override
        public void close() {}
    }
}

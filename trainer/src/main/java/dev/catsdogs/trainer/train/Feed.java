package dev.catsdogs.trainer.train;

import java.util.Iterator;

/**
 * Where a phase's batches come from: decoded images (layer 0) or cached activations at a layer
 * boundary of the frozen base. Either way the batches of an epoch come in the same order.
 */
public interface Feed extends AutoCloseable {

    /**
     * One batch: {@code data} is the output of layer {@code boundary() - 1}, flattened, per sample.
     */
    record Batch(float[] data, int[] labels, int size) {}

    /** Keras index of the first layer the model must still run (0 = images). */
    int boundary();

    /** Shape of one sample's data, without the batch axis. */
    long[] sampleShape();

    /** Batches of one epoch or pass; close it to stop any background work early. */
    interface Batches extends Iterator<Batch>, AutoCloseable {
        /** Number of batches this iteration will deliver (fewer if bad files turn up). */
        int plannedBatches();

        @Override
        void close();
    }

    /** The shuffled batches of training epoch {@code epoch} (0-based). */
    Batches epoch(int epoch);

    /** All samples in order, the last batch partial; at most {@code maxBatches} batches. */
    Batches pass(int maxBatches);

    /** Number of samples usable (bad files excluded once known). */
    int size();

    @Override
    void close();
}

package dev.catsdogs.trainer.feed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;

/**
 * Where a phase's batches come from: decoded images (layer 0) or cached activations at a layer
 * boundary of the frozen base. Either way the batches of an epoch come in the same order.
 */
public interface Feed extends AutoCloseable {

    /** One batch: the output of layer {@code boundary() - 1} for each sample, and the labels. */
    interface Batch {
        /** Class index of each sample. */
        int[] labels();

        /** Number of samples. */
        int size();

        /**
         * The samples' data as an array of shape {@code (size(), sample shape...)} on {@code
         * scope}'s device, owned by {@code scope}.
         */
        NDArray input(NDManager scope);
    }

    /**
     * A batch held in host memory, copied to the device by {@link #input}: {@code data} is the
     * samples' data, flattened, one after the other.
     */
    record HostBatch(float[] data, long[] sampleShape, int[] labels, int size) implements Batch {
        @Override
        public NDArray input(NDManager scope) {
            long[] dims = new long[sampleShape.length + 1];
            dims[0] = size;
            System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
            return scope.create(data, new Shape(dims));
        }
    }

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

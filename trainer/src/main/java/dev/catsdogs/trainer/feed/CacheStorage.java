package dev.catsdogs.trainer.feed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Where a {@link CachedFeed} keeps its rows (one activation per image view): on the training device
 * when the whole cache fits in the byte budget, so a cached epoch copies nothing from host to
 * device; otherwise in host memory up to the budget and in a memory-mapped file beyond it.
 */
interface CacheStorage extends AutoCloseable {

    /**
     * Storage for {@code rows} rows of {@code sampleShape}: on {@code manager}'s device if they fit
     * in {@code budgetBytes}, else on the host.
     */
    static CacheStorage create(int rows, long[] sampleShape, long budgetBytes, NDManager manager) {
        long bytes = 4L * rows * sampleSize(sampleShape);
        return bytes <= budgetBytes
                ? new DeviceCacheStorage(rows, sampleShape, manager)
                : new HostCacheStorage(rows, sampleShape, budgetBytes);
    }

    /** Floats in one sample of {@code shape}. */
    static int sampleSize(long[] shape) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        return Math.toIntExact(size);
    }

    /**
     * Stores {@code activations}, of shape {@code (rows.length, sample shape...)}, as rows {@code
     * rows} (in that order).
     */
    void put(int[] rows, NDArray activations);

    /** The batch of rows {@code rows}, in that order, with their labels. */
    Feed.Batch batch(int[] rows, int[] labels);

    /** Whether the rows live on the training device. */
    boolean onDevice();

    /** Whether part of the rows had to be memory-mapped from disk. */
    boolean spilled();

    /**
     * Where the rows live, as the user reads it: {@code device (cpu()), 10.2 MB}, {@code host, 5.1
     * GB, spilled to disk beyond 4.3 GB}.
     */
    String location();

    @Override
    void close();
}

package dev.catsdogs.trainer.feed;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * A cache too large for its budget: rows in host memory up to the budget and memory-mapped from a
 * temporary file beyond it ({@link FeatureStore}); each batch is copied to the device.
 */
final class HostCacheStorage implements CacheStorage {

    private final FeatureStore store;
    private final long[] sampleShape;

    HostCacheStorage(int rows, long[] sampleShape, long budgetBytes) {
        this.sampleShape = sampleShape.clone();
        this.store = new FeatureStore(rows, CacheStorage.sampleSize(sampleShape), budgetBytes);
    }

    @Override
    public void put(int[] rows, NDArray activations) {
        float[] values = activations.toFloatArray();
        for (int i = 0; i < rows.length; i++) {
            store.put(rows[i], values, i * store.rowSize());
        }
    }

    @Override
    public Feed.Batch batch(int[] rows, int[] labels) {
        float[] data = new float[rows.length * store.rowSize()];
        for (int i = 0; i < rows.length; i++) {
            store.get(rows[i], data, i * store.rowSize());
        }
        return new Feed.HostBatch(data, sampleShape, labels, rows.length);
    }

    @Override
    public boolean onDevice() {
        return false;
    }

    @Override
    public boolean spilled() {
        return store.spilled();
    }

    @Override
    public String location() {
        long bytes = 4L * store.rows() * store.rowSize();
        String where = String.format(Locale.ROOT, "host, %.1f MB", bytes / 1e6);
        return store.spilled()
                ? where
                        + String.format(
                                Locale.ROOT,
                                ", spilled to disk beyond %.1f MB",
                                store.inMemoryBytes() / 1e6)
                : where;
    }

    @Override
    public void close() {
        store.close();
    }
}

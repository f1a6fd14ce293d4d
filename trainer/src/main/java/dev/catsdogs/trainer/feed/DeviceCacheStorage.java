package dev.catsdogs.trainer.feed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * A cache held as one array of shape {@code (rows, sample shape...)} on the training device, in a
 * sub-manager of the trainer's manager that this storage owns. Rows are written on the device as
 * the frozen layers produce them, and a batch is a gather of its rows on the device: no copy
 * between host and device either way.
 */
final class DeviceCacheStorage implements CacheStorage {

    private final NDManager manager;
    private final NDArray rows;
    private final long[] sampleShape;
    private final long bytes;
    private boolean closed;

    DeviceCacheStorage(int rows, long[] sampleShape, NDManager trainingManager) {
        this.sampleShape = sampleShape.clone();
        this.manager = trainingManager.newSubManager();
        this.rows = manager.zeros(withRows(rows, sampleShape));
        this.bytes = 4L * rows * CacheStorage.sampleSize(sampleShape);
    }

    private static Shape withRows(long rows, long[] sampleShape) {
        long[] dims = new long[sampleShape.length + 1];
        dims[0] = rows;
        System.arraycopy(sampleShape, 0, dims, 1, sampleShape.length);
        return new Shape(dims);
    }

    @Override
    public void put(int[] targets, NDArray activations) {
        checkOpen();
        NDArray samples = activations.reshape(withRows(targets.length, sampleShape));
        if (contiguous(targets)) {
            rows.set(new NDIndex("{}:{}", targets[0], targets[0] + targets.length), samples);
        } else {
            for (int i = 0; i < targets.length; i++) {
                rows.set(new NDIndex("{}", targets[i]), samples.get(i));
            }
        }
    }

    private static boolean contiguous(int[] targets) {
        for (int i = 1; i < targets.length; i++) {
            if (targets[i] != targets[0] + i) {
                return false;
            }
        }
        return targets.length > 0;
    }

    @Override
    public Feed.Batch batch(int[] targets, int[] labels) {
        checkOpen();
        long[] index = new long[targets.length];
        for (int i = 0; i < targets.length; i++) {
            index[i] = targets[i];
        }
        return new Gathered(index, labels);
    }

    /** A batch that gathers its rows on the device when the trainer asks for its input. */
    private final class Gathered implements Feed.Batch {
        private final long[] index;
        private final int[] labels;

        Gathered(long[] index, int[] labels) {
            this.index = index;
            this.labels = labels;
        }

        @Override
        public int[] labels() {
            return labels;
        }

        @Override
        public int size() {
            return labels.length;
        }

        @Override
        public NDArray input(NDManager scope) {
            checkOpen();
            NDArray positions = scope.create(index).toDevice(rows.getDevice(), false);
            return rows.get(scope, new NDIndex("{}", positions));
        }
    }

    @Override
    public boolean onDevice() {
        return true;
    }

    @Override
    public boolean spilled() {
        return false;
    }

    @Override
    public String location() {
        return String.format(Locale.ROOT, "device (%s), %.1f MB", rows.getDevice(), bytes / 1e6);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the device cache was closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}

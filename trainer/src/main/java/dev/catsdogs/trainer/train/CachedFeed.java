package dev.catsdogs.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.data.BatchIterator;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.IntConsumer;

/**
 * Activations of the frozen part of the base, computed once per image and replayed every epoch. At
 * boundary 0 (nothing frozen) the "activation" is the preprocessed image: each image is still
 * decoded only once.
 *
 * <p>Layers below the boundary are frozen and run with BatchNorm in inference mode, and the seed
 * applies no augmentation, so they are a fixed function of the image: running them every epoch
 * recomputes the same numbers. Epoch order is the image loader's own, so cached and uncached
 * training see identical batches.
 */
public final class CachedFeed implements Feed {

    private final BatchLoader loader;
    private final int boundary;
    private final long[] sampleShape;
    private final FeatureStore store;
    private final Map<Path, Integer> rowOf = new HashMap<>();
    private final Map<Path, Integer> labelOf = new HashMap<>();

    private CachedFeed(BatchLoader loader, int boundary, long[] sampleShape, FeatureStore store) {
        this.loader = loader;
        this.boundary = boundary;
        this.sampleShape = sampleShape;
        this.store = store;
    }

    /**
     * Runs every image of {@code loader} once through the base up to {@code boundary}.
     *
     * @param progress called with the number of images done after each batch
     */
    public static CachedFeed compute(
            BatchLoader loader,
            TransferNetwork network,
            int boundary,
            NDManager manager,
            int imageSize,
            long memoryBudgetBytes,
            IntConsumer progress) {
        long[] shape = activationShape(network, boundary, imageSize);
        int rowSize = 1;
        for (long d : shape) {
            rowSize *= (int) d;
        }
        CachedFeed feed =
                new CachedFeed(
                        loader,
                        boundary,
                        shape,
                        new FeatureStore(loader.size(), rowSize, memoryBudgetBytes));
        try (BatchIterator batches = loader.pass()) {
            int row = 0;
            while (batches.hasNext()) {
                dev.catsdogs.trainer.data.Batch batch = batches.next();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray images =
                            scope.create(
                                    batch.data(), new Shape(batch.size(), 3, imageSize, imageSize));
                    NDArray activation =
                            network.activationBefore(
                                    new ParameterStore(scope, false), images, boundary, false);
                    float[] values = activation.toFloatArray();
                    for (int i = 0; i < batch.size(); i++) {
                        feed.store.put(row, values, i * rowSize);
                        feed.rowOf.put(batch.files().get(i), row);
                        feed.labelOf.put(batch.files().get(i), batch.labels()[i]);
                        row++;
                    }
                }
                progress.accept(row);
            }
        } catch (RuntimeException e) {
            feed.close();
            throw e;
        }
        return feed;
    }

    private static long[] activationShape(TransferNetwork network, int boundary, int imageSize) {
        var layers = network.base().layers();
        if (boundary == layers.size()) {
            return new long[] {network.base().outputChannels()};
        }
        if (boundary == 0) {
            return new long[] {3, imageSize, imageSize}; // the preprocessed image itself
        }
        var before = layers.get(boundary - 1);
        return new long[] {before.channels(), before.height(), before.width()};
    }

    /** Whether part of the cache had to be memory-mapped from disk. */
    public boolean spilled() {
        return store.spilled();
    }

    @Override
    public int boundary() {
        return boundary;
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public int size() {
        return rowOf.size();
    }

    @Override
    public Batches epoch(int epoch) {
        return replay(loader.order(epoch), Integer.MAX_VALUE);
    }

    @Override
    public Batches pass(int maxBatches) {
        return replay(loader.passOrder(), maxBatches);
    }

    private Batches replay(List<Sample> order, int maxBatches) {
        List<Sample> cached = order.stream().filter(s -> rowOf.containsKey(s.file())).toList();
        int batchSize = loader.batchSize();
        int planned = Math.min(maxBatches, (cached.size() + batchSize - 1) / batchSize);
        return new Batches() {
            private int next;

            @Override
            public int plannedBatches() {
                return planned;
            }

            @Override
            public boolean hasNext() {
                return next < planned;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int from = next * batchSize;
                int size = Math.min(batchSize, cached.size() - from);
                float[] data = new float[size * store.rowSize()];
                int[] labels = new int[size];
                for (int i = 0; i < size; i++) {
                    Path file = cached.get(from + i).file();
                    store.get(rowOf.get(file), data, i * store.rowSize());
                    labels[i] = labelOf.get(file);
                }
                next++;
                return new Batch(data, labels, size);
            }

            @Override
            public void close() {
                // nothing runs in the background
            }
        };
    }

    @Override
    public void close() {
        store.close();
    }
}

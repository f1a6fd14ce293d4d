package dev.catsdogs.trainer.feed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.catsdogs.trainer.data.BatchIterator;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.Seeds;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Activations of the frozen part of the base, computed once per image and replayed every epoch. At
 * boundary 0 (nothing frozen) the "activation" is the preprocessed image: each image is still
 * decoded only once.
 *
 * <p>Layers below the boundary are frozen and run with BatchNorm in inference mode, so without
 * augmentation they are a fixed function of the image: running them every epoch recomputes the same
 * numbers. Epoch order is the image loader's own, so cached and uncached training see identical
 * batches.
 *
 * <p>With augmentation the image itself changes every epoch, so one cached activation per image
 * would train on one frozen draw. This feed then holds {@code views} augmented views of every image
 * ({@link BatchLoader#augmentedPass}), and each epoch takes one view per image, drawn from {@code
 * Seeds.derive(seed, "augment/view-choice/" + epoch + "/" + row)}: {@code views} times the cost of
 * one cache, for at most {@code views} different draws of an image over the whole phase.
 *
 * <p>A cache that fits in the byte budget stays on the training device as one array ({@link
 * CacheStorage}): built there and gathered there, batch by batch. A larger one is kept on the host,
 * spilling to disk, and each batch is copied to the device.
 */
public final class CachedFeed implements Feed {

    private final BatchLoader loader;
    private final int boundary;
    private final int views;
    private final long seed;
    private final long[] sampleShape;
    private final CacheStorage storage;
    private final Map<Path, Integer> rowOf = new HashMap<>();
    private final Map<Path, Integer> labelOf = new HashMap<>();

    private CachedFeed(
            BatchLoader loader,
            int boundary,
            int views,
            long seed,
            long[] sampleShape,
            CacheStorage storage) {
        this.loader = loader;
        this.boundary = boundary;
        this.views = views;
        this.seed = seed;
        this.sampleShape = sampleShape;
        this.storage = storage;
    }

    /**
     * Runs every image of {@code loader} once through the base up to {@code boundary}: the
     * unaugmented images.
     *
     * @param manager the training device's manager; a cache within {@code memoryBudgetBytes} is
     *     kept on its device
     * @param memoryBudgetBytes bytes of the cache held on the device, or else in host memory
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
        return compute(
                loader, network, boundary, manager, imageSize, memoryBudgetBytes, 1, 0, progress);
    }

    /**
     * Runs {@code views} augmented views of every image of {@code loader} through the base up to
     * {@code boundary}; without augmentation in the loader, {@code views} must be 1 and the images
     * are cached as they are.
     *
     * @param views augmented views per image, {@code >= 1}
     * @param seed the seed of each epoch's choice of views
     * @param progress called with the number of images done after each batch (up to {@code views *
     *     loader.size()})
     */
    public static CachedFeed compute(
            BatchLoader loader,
            TransferNetwork network,
            int boundary,
            NDManager manager,
            int imageSize,
            long memoryBudgetBytes,
            int views,
            long seed,
            IntConsumer progress) {
        boolean augmented = loader.augmentation().enabled();
        if (views < 1 || !augmented && views != 1) {
            throw new IllegalArgumentException(
                    "Received views="
                            + views
                            + "; expected "
                            + (augmented ? ">= 1" : "1 (the loader has no augmentation)"));
        }
        long[] shape = activationShape(network, boundary, imageSize);
        int n = loader.size();
        CachedFeed feed =
                new CachedFeed(
                        loader,
                        boundary,
                        views,
                        seed,
                        shape,
                        CacheStorage.create(views * n, shape, memoryBudgetBytes, manager));
        try {
            int done = 0;
            for (int view = 0; view < views; view++) {
                try (BatchIterator batches =
                        augmented ? loader.augmentedPass(view) : loader.pass()) {
                    while (batches.hasNext()) {
                        dev.catsdogs.trainer.data.Batch batch = batches.next();
                        try (NDManager scope = manager.newSubManager()) {
                            NDArray images =
                                    scope.create(
                                            batch.data(),
                                            new Shape(batch.size(), 3, imageSize, imageSize));
                            NDArray activation =
                                    network.activationBefore(
                                            new ParameterStore(scope, false),
                                            images,
                                            boundary,
                                            false);
                            int[] rows = new int[batch.size()];
                            for (int i = 0; i < batch.size(); i++) {
                                Path file = batch.files().get(i);
                                // Rows are numbered in the first view's pass; view k of row r is
                                // row k * n + r.
                                Integer row = feed.rowOf.get(file);
                                if (row == null) {
                                    row = feed.rowOf.size();
                                    feed.rowOf.put(file, row);
                                    feed.labelOf.put(file, batch.labels()[i]);
                                }
                                rows[i] = view * n + row;
                            }
                            feed.storage.put(rows, activation);
                        }
                        done += batch.size();
                        progress.accept(done);
                    }
                }
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

    /** Augmented views held per image (1 without augmentation). */
    public int views() {
        return views;
    }

    /** Whether part of the cache had to be memory-mapped from disk. */
    public boolean spilled() {
        return storage.spilled();
    }

    /** Whether the cache lives on the training device (it fit in the budget). */
    public boolean onDevice() {
        return storage.onDevice();
    }

    /** Where the cache lives, e.g. {@code device (cpu()), 10.2 MB}; see {@link CacheStorage}. */
    public String location() {
        return storage.location();
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
        return replay(loader.order(epoch), epoch, Integer.MAX_VALUE);
    }

    @Override
    public Batches pass(int maxBatches) {
        return replay(loader.passOrder(), -1, maxBatches);
    }

    /** The cached view of {@code row} that epoch {@code epoch} trains on (0 for a pass). */
    int viewOf(int row, int epoch) {
        if (views == 1 || epoch < 0) {
            return 0;
        }
        long choice = Seeds.derive(seed, "augment/view-choice/" + epoch + "/" + row);
        return new Random(choice).nextInt(views);
    }

    private Batches replay(List<Sample> order, int epoch, int maxBatches) {
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
                int[] rows = new int[size];
                int[] labels = new int[size];
                for (int i = 0; i < size; i++) {
                    Path file = cached.get(from + i).file();
                    int row = rowOf.get(file);
                    rows[i] = viewOf(row, epoch) * loader.size() + row;
                    labels[i] = labelOf.get(file);
                }
                next++;
                return storage.batch(rows, labels);
            }

            @Override
            public void close() {
                // nothing runs in the background
            }
        };
    }

    @Override
    public void close() {
        storage.close();
    }
}

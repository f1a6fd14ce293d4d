package dev.catsdogs.trainer.feed;

import dev.catsdogs.trainer.data.BatchIterator;
import dev.catsdogs.trainer.data.BatchLoader;

/** Batches of decoded, preprocessed images (boundary 0): the plain path, no caching. */
public final class ImageFeed implements Feed {

    private final BatchLoader loader;
    private final long[] sampleShape;

    /**
     * @param loader decodes the images on background threads
     * @param imageSize height and width of the preprocessed images
     */
    public ImageFeed(BatchLoader loader, int imageSize) {
        this.loader = loader;
        this.sampleShape = new long[] {3, imageSize, imageSize};
    }

    public BatchLoader loader() {
        return loader;
    }

    @Override
    public int boundary() {
        return 0;
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public Batches epoch(int epoch) {
        return wrap(loader.epoch(epoch), sampleShape, Integer.MAX_VALUE);
    }

    @Override
    public Batches pass(int maxBatches) {
        return wrap(loader.pass(), sampleShape, maxBatches);
    }

    @Override
    public int size() {
        return loader.size() - loader.skippedCount();
    }

    private static Batches wrap(BatchIterator batches, long[] sampleShape, int maxBatches) {
        return new Batches() {
            private int delivered;

            @Override
            public int plannedBatches() {
                return Math.min(maxBatches, batches.plannedBatches());
            }

            @Override
            public boolean hasNext() {
                return delivered < maxBatches && batches.hasNext();
            }

            @Override
            public HostBatch next() {
                dev.catsdogs.trainer.data.Batch b = batches.next();
                delivered++;
                return new HostBatch(b.data(), sampleShape, b.labels(), b.size());
            }

            @Override
            public void close() {
                batches.close();
            }
        };
    }

    @Override
    public void close() {
        // The loader's threads belong to each iteration and stop when it is closed.
    }
}

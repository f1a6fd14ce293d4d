package dev.catsdogs.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.util.List;

/**
 * Makes a phase's feeds as the configuration says: cached activations of the frozen layers, or the
 * decoded images every epoch ({@code --no-cache}). Cache building reports progress to the listeners
 * and honours the stop signal.
 */
final class FeedFactory {

    private final TrainingConfig config;
    private final TransferNetwork network;
    private final NDManager manager;
    private final List<TrainingListener> listeners;
    private final Runnable checkStop;

    FeedFactory(
            TrainingConfig config,
            TransferNetwork network,
            NDManager manager,
            List<TrainingListener> listeners,
            Runnable checkStop) {
        this.config = config;
        this.network = network;
        this.manager = manager;
        this.listeners = listeners;
        this.checkStop = checkStop;
    }

    // Boundary 0 (every layer trainable): nothing is frozen to cache, but the decoded, resized
    // images still are, so each image is decoded once rather than once per epoch.
    Feed feed(BatchLoader loader, int boundary, String split) {
        if (!config.cache()) {
            return new ImageFeed(loader, config.imageSize());
        }
        long startNanos = System.nanoTime();
        CachedFeed feed =
                CachedFeed.compute(
                        loader,
                        network,
                        boundary,
                        manager,
                        config.imageSize(),
                        config.cacheBudgetBytes(),
                        done -> {
                            listeners.forEach(
                                    l -> l.onCacheProgress(split, boundary, done, loader.size()));
                            checkStop.run();
                        });
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        listeners.forEach(
                l -> l.onCacheBuilt(split, boundary, feed.size(), seconds, feed.spilled()));
        return feed;
    }
}

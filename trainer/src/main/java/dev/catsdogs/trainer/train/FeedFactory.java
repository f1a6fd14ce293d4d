package dev.catsdogs.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.feed.CachedFeed;
import dev.catsdogs.trainer.feed.Feed;
import dev.catsdogs.trainer.feed.ImageFeed;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.util.List;

/**
 * Makes a phase's feeds as the configuration says: cached activations of the frozen layers, or the
 * decoded images every epoch ({@code --no-cache}). A loader with augmentation (the training split)
 * is cached only as {@link TrainingConfig#augmentViews()} augmented views, else fed uncached: a new
 * draw every epoch. Cache building reports progress to the listeners and honours the stop signal.
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
        boolean augmented = loader.augmentation().enabled();
        if (!config.runtime().cache() || augmented && config.data().augmentViews() == 0) {
            return new ImageFeed(loader, config.data().imageSize());
        }
        int views = augmented ? config.data().augmentViews() : 1;
        int total = views * loader.size();
        String label = augmented ? split + " (" + views + " augmented views each)" : split;
        long startNanos = System.nanoTime();
        CachedFeed feed =
                CachedFeed.compute(
                        loader,
                        network,
                        boundary,
                        manager,
                        config.data().imageSize(),
                        config.runtime().cacheBudgetBytes(),
                        views,
                        config.seed(),
                        done -> {
                            listeners.forEach(l -> l.onCacheProgress(label, boundary, done, total));
                            checkStop.run();
                        });
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        listeners.forEach(
                l -> l.onCacheBuilt(label, boundary, feed.size(), seconds, feed.location()));
        return feed;
    }
}

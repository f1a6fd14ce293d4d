/**
 * Where a phase's batches come from: a {@link dev.catsdogs.trainer.feed.Feed} of decoded images
 * ({@link dev.catsdogs.trainer.feed.ImageFeed}), or {@link dev.catsdogs.trainer.feed.CachedFeed},
 * the frozen layers' activations computed once and replayed every epoch in the image loader's own
 * order. The cache lives on the training device when it fits its byte budget, else in host memory
 * spilling to a memory-mapped file ({@link dev.catsdogs.trainer.feed.FeatureStore}). Feeds know
 * nothing of a run's configuration or listeners: the trainer's {@code FeedFactory} wires them.
 */
package dev.catsdogs.trainer.feed;

package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.ShuffleMode;
import dev.catsdogs.trainer.feed.CachedFeed;
import dev.catsdogs.trainer.feed.ImageFeed;
import dev.catsdogs.trainer.model.TransferNetwork;
import dev.catsdogs.trainer.optimizer.KerasRmsProp;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Caching the frozen part changes speed, not results: same seed, cached vs plain, and the trained
 * weights agree within float tolerance after steps of each phase.
 */
class CachedTrainingEquivalenceTest {

    private static final int SIZE = 96;

    @Test
    void cachedAndPlainTrainingAgree() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork plain = TrainingFixture.network(manager, SIZE, null);
            TransferNetwork cached = TrainingFixture.network(manager, SIZE, plain);
            BatchLoader loader =
                    TrainingFixture.loader(
                            TrainingFixture.samples(12, 20), SIZE, 8, 5, ShuffleMode.EACH_EPOCH);

            // Phase 1: base frozen, two epochs on pooled features vs on images.
            plain.freezeBase();
            cached.freezeBase();
            int pooled = cached.base().layers().size();
            try (CachedFeed feed =
                            CachedFeed.compute(
                                    loader, cached, pooled, manager, SIZE, 1 << 20, n -> {});
                    KerasRmsProp a = KerasRmsProp.withDefaults(1e-3f);
                    KerasRmsProp b = KerasRmsProp.withDefaults(1e-3f)) {
                ImageFeed images = new ImageFeed(loader, SIZE);
                for (int epoch = 0; epoch < 2; epoch++) {
                    var p =
                            new TransferTrainer(plain, manager)
                                    .trainEpoch(
                                            Phase.FEATURE_EXTRACTION, images, epoch, epoch + 1, a);
                    var c =
                            new TransferTrainer(cached, manager)
                                    .trainEpoch(
                                            Phase.FEATURE_EXTRACTION, feed, epoch, epoch + 1, b);
                    assertEquals(p.loss(), c.loss(), 1e-4, "epoch loss");
                }
            }
            assertClose(TrainingFixture.snapshot(plain), TrainingFixture.snapshot(cached), 1e-4);

            // Phase 2: from layer 100, cached at the nearest cut point below it (small budget:
            // spills to disk).
            plain.setTrainableFrom(100);
            cached.setTrainableFrom(100);
            int cut = cached.base().cutPointAtOrBefore(100);
            assertEquals(
                    99, cut, "block_11 adds block_10's output (layer 98), so the cut is at 99");
            try (CachedFeed feed =
                            CachedFeed.compute(
                                    loader, cached, cut, manager, SIZE, 64 * 1024, n -> {});
                    KerasRmsProp a = KerasRmsProp.withDefaults(1e-4f);
                    KerasRmsProp b = KerasRmsProp.withDefaults(1e-4f)) {
                assertTrue(feed.spilled(), "a 64 KiB budget must spill to the memory-mapped file");
                new TransferTrainer(plain, manager)
                        .trainEpoch(Phase.FINE_TUNING, new ImageFeed(loader, SIZE), 2, 3, a);
                new TransferTrainer(cached, manager).trainEpoch(Phase.FINE_TUNING, feed, 2, 3, b);
            }
            assertClose(TrainingFixture.snapshot(plain), TrainingFixture.snapshot(cached), 1e-4);
        }
    }

    @Test
    void decodedImageCacheTrainsLikeDecodingEveryEpoch() throws Exception {
        // Every layer trainable: nothing frozen to cache, so the cache holds the decoded images.
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork plain = TrainingFixture.network(manager, SIZE, null);
            TransferNetwork cached = TrainingFixture.network(manager, SIZE, plain);
            plain.setTrainableFrom(0);
            cached.setTrainableFrom(0);
            BatchLoader loader =
                    TrainingFixture.loader(
                            TrainingFixture.samples(8, 21), SIZE, 4, 5, ShuffleMode.EACH_EPOCH);
            try (CachedFeed feed =
                            CachedFeed.compute(loader, cached, 0, manager, SIZE, 1 << 30, n -> {});
                    KerasRmsProp a = KerasRmsProp.withDefaults(1e-5f);
                    KerasRmsProp b = KerasRmsProp.withDefaults(1e-5f)) {
                assertEquals(
                        3L * SIZE * SIZE,
                        java.util.Arrays.stream(feed.sampleShape()).reduce(1, (x, y) -> x * y));
                for (int epoch = 0; epoch < 2; epoch++) {
                    var p =
                            new TransferTrainer(plain, manager)
                                    .trainEpoch(
                                            Phase.FINE_TUNING,
                                            new ImageFeed(loader, SIZE),
                                            epoch,
                                            epoch + 1,
                                            a);
                    var c =
                            new TransferTrainer(cached, manager)
                                    .trainEpoch(Phase.FINE_TUNING, feed, epoch, epoch + 1, b);
                    assertEquals(p.loss(), c.loss(), 1e-4, "epoch loss");
                }
            }
            assertClose(TrainingFixture.snapshot(plain), TrainingFixture.snapshot(cached), 1e-4);
        }
    }

    private static void assertClose(
            Map<String, float[]> expected, Map<String, float[]> actual, double tolerance) {
        assertEquals(expected.keySet(), actual.keySet());
        for (var entry : expected.entrySet()) {
            float[] e = entry.getValue();
            float[] a = actual.get(entry.getKey());
            double scale = 1e-6;
            double diff = 0;
            for (int i = 0; i < e.length; i++) {
                scale = Math.max(scale, Math.abs(e[i]));
                diff = Math.max(diff, Math.abs(e[i] - a[i]));
            }
            assertTrue(
                    diff / scale < tolerance,
                    entry.getKey() + " differs by " + diff + " (scale " + scale + ")");
        }
    }
}

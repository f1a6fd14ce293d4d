package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.Batch;
import dev.catsdogs.trainer.data.BatchIterator;
import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.feed.CachedFeed;
import dev.catsdogs.trainer.feed.Feed;
import dev.catsdogs.trainer.feed.ImageFeed;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Caching with augmentation is never silently wrong: the training split is fed uncached (a new draw
 * every epoch) unless views are asked for, and then each epoch trains on one of the cached views of
 * every image, chosen reproducibly. Boundary 0 caches the preprocessed images themselves, so the
 * views can be compared with the loader's.
 */
class AugmentedFeedsTest {

    private static final int SIZE = 32;
    private static final Augmentation FLIP_ROTATE = Augmentation.parse("flip,rotate=0.2");

    @Test
    void eachEpochTrainsOnOneCachedViewPerImage() throws Exception {
        try (NDManager manager = NDManager.newBaseManager();
                ImagePreprocessor pre = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(SIZE));
                BatchLoader loader = loader(pre, FLIP_ROTATE)) {
            TransferNetwork network = TransferNetwork.create(SIZE, 2);
            int views = 3;
            List<Map<Path, float[]>> viewTensors = new ArrayList<>();
            for (int k = 0; k < views; k++) {
                viewTensors.add(tensors(loader.augmentedPass(k), pre.tensorSize()));
            }
            try (CachedFeed feed =
                    CachedFeed.compute(
                            loader, network, 0, manager, SIZE, 1 << 20, views, 7, n -> {})) {
                assertEquals(views, feed.views());
                Map<Path, Set<Integer>> used = new HashMap<>();
                for (int epoch = 0; epoch < 6; epoch++) {
                    float[] first = replay(manager, feed, epoch, loader, viewTensors, used);
                    float[] again = replay(manager, feed, epoch, loader, viewTensors, used);
                    assertArrayEquals(first, again, "epoch " + epoch + " replayed twice");
                }
                assertTrue(
                        used.values().stream().anyMatch(s -> s.size() > 1),
                        "no image was seen in two views over six epochs: " + used);
            }
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    CachedFeed.compute(
                                            loader(pre, Augmentation.NONE),
                                            network,
                                            0,
                                            manager,
                                            SIZE,
                                            1 << 20,
                                            2,
                                            7,
                                            n -> {}));
            assertTrue(e.getMessage().contains("views=2"), e.getMessage());
        }
    }

    @Test
    void augmentedTrainingIsNotCachedWithoutViews() throws Exception {
        TrainingConfig tutorial = TrainingConfig.of(Recipe.TUTORIAL, Path.of("unused"));
        TrainingConfig config = tutorial.withData(tutorial.data().withImageSize(SIZE));
        assertEquals(FLIP_ROTATE, config.data().augmentation());
        assertFalse(config.cachesTraining());
        assertTrue(ProgressListener.cacheMode(config).contains("not cached"));
        assertTrue(
                config.withData(config.data().withAugmentation(FLIP_ROTATE).withAugmentViews(4))
                        .cachesTraining());
        assertTrue(TrainingConfig.of(Recipe.SEED, Path.of("unused")).cachesTraining());
        try (NDManager manager = NDManager.newBaseManager();
                ImagePreprocessor pre = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(SIZE));
                BatchLoader train = loader(pre, FLIP_ROTATE);
                BatchLoader validation = loader(pre, Augmentation.NONE)) {
            FeedFactory feeds =
                    new FeedFactory(
                            config, TransferNetwork.create(SIZE, 2), manager, List.of(), () -> {});
            try (Feed t = feeds.feed(train, 0, "train");
                    Feed v = feeds.feed(validation, 0, "validation")) {
                assertTrue(t instanceof ImageFeed, "augmented training feed " + t);
                assertTrue(v instanceof CachedFeed, "validation feed " + v);
            }
        }
    }

    @Test
    void viewsWithoutAugmentationOrCachingAreRefused() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DataSettings.DEFAULT.withAugmentViews(3));
        assertTrue(e.getMessage().contains("augmentViews=3"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                TrainingConfig.of(Recipe.TUTORIAL, Path.of("x"))
                                        .withRuntime(RuntimeSettings.defaults().withCache(false))
                                        .withData(
                                                DataSettings.DEFAULT
                                                        .withAugmentation(FLIP_ROTATE)
                                                        .withAugmentViews(3)));
        assertTrue(e.getMessage().contains("without caching"), e.getMessage());
    }

    /** Replays one epoch, checking that each image's data is one of its cached views. */
    private static float[] replay(
            NDManager manager,
            CachedFeed feed,
            int epoch,
            BatchLoader loader,
            List<Map<Path, float[]>> viewTensors,
            Map<Path, Set<Integer>> used) {
        int n = loader.tensorSize();
        var order = loader.order(epoch);
        List<Float> all = new ArrayList<>();
        int index = 0;
        try (Feed.Batches batches = feed.epoch(epoch)) {
            while (batches.hasNext()) {
                Feed.Batch batch = batches.next();
                float[] data;
                try (NDManager scope = manager.newSubManager()) {
                    data = batch.input(scope).toFloatArray();
                }
                for (int i = 0; i < batch.size(); i++, index++) {
                    Path file = order.get(index).file();
                    float[] got = Arrays.copyOfRange(data, i * n, (i + 1) * n);
                    int view = -1;
                    for (int k = 0; k < viewTensors.size(); k++) {
                        if (Arrays.equals(got, viewTensors.get(k).get(file))) {
                            view = k;
                        }
                    }
                    assertTrue(view >= 0, file + " in epoch " + epoch + " is none of its views");
                    used.computeIfAbsent(file, f -> new HashSet<>()).add(view);
                    all.add(got[0]);
                }
            }
        }
        assertEquals(order.size(), index);
        float[] firstValues = new float[all.size()];
        for (int i = 0; i < firstValues.length; i++) {
            firstValues[i] = all.get(i);
        }
        return firstValues;
    }

    private static Map<Path, float[]> tensors(BatchIterator batches, int n) {
        Map<Path, float[]> out = new HashMap<>();
        try (batches) {
            for (Batch batch : batches) {
                for (int i = 0; i < batch.size(); i++) {
                    out.put(
                            batch.files().get(i),
                            Arrays.copyOfRange(batch.data(), i * n, (i + 1) * n));
                }
            }
        }
        return out;
    }

    private static BatchLoader loader(ImagePreprocessor pre, Augmentation augmentation) {
        return BatchLoader.builder(TrainingFixture.samples(4, 30), SampleDecoder.of(pre))
                .optBatchSize(3)
                .optSeed(11)
                .optThreads(2)
                .optAugmentation(augmentation)
                .build();
    }
}

package dev.catsdogs.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.TestPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Augmented batches from real photos: the same seed gives the same augmented batches (whatever the
 * threads do), another epoch or seed other ones, and passes stay unaugmented.
 */
class AugmentedBatchesTest {

    private static final int SIZE = 48;
    private static final Augmentation FLIP_ROTATE = Augmentation.parse("flip,rotate=0.2");
    private static ImagePreprocessor pre;
    private static List<Sample> samples;

    @BeforeAll
    static void setUp() {
        pre = new ImagePreprocessor(PreprocessingSpec.mobileNetV2(SIZE));
        samples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            samples.add(
                    new Sample(TestPaths.catsAndDogs().resolve("train/cats/cat." + i + ".jpg"), 0));
            samples.add(
                    new Sample(TestPaths.catsAndDogs().resolve("train/dogs/dog." + i + ".jpg"), 1));
        }
    }

    @AfterAll
    static void tearDown() {
        pre.close();
    }

    @Test
    void theSameSeedGivesTheSameAugmentedBatches() {
        try (BatchLoader a = loader(42, FLIP_ROTATE, 1);
                BatchLoader b = loader(42, FLIP_ROTATE, 2);
                BatchLoader otherSeed = loader(43, FLIP_ROTATE, 2);
                BatchLoader plain = loader(42, Augmentation.NONE, 2)) {
            float[] epoch3 = epoch(a, 3);
            assertArrayEquals(epoch3, epoch(b, 3), "same seed and epoch, other thread count");
            // The same samples in the same order (the shuffle ignores augmentation) ...
            assertEquals(a.order(3), plain.order(3));
            // ... but changed images, drawn anew each epoch and for each seed.
            assertFalse(Arrays.equals(epoch3, epoch(plain, 3)), "augmented = plain");
            float[] sampleAt = perSample(a, 3).apply(samples.get(0).file());
            float[] sameSampleEpoch4 = perSample(a, 4).apply(samples.get(0).file());
            assertFalse(Arrays.equals(sampleAt, sameSampleEpoch4), "epoch 3 = epoch 4");
            assertFalse(Arrays.equals(epoch3, epoch(otherSeed, 3)), "seed 42 = seed 43");
            // Passes (validation, test) are never augmented.
            assertArrayEquals(all(plain.pass()), all(a.pass()));
            // Cached views are reproducible too, and differ from each other.
            assertArrayEquals(all(a.augmentedPass(1)), all(b.augmentedPass(1)));
            assertFalse(Arrays.equals(all(a.augmentedPass(0)), all(a.augmentedPass(1))));
        }
    }

    @Test
    void viewsNeedAnAugmentation() {
        try (BatchLoader plain = loader(1, Augmentation.NONE, 1)) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> plain.augmentedPass(0));
            assertTrue(e.getMessage().contains("no augmentation"), e.getMessage());
        }
    }

    /** A decoder that cannot augment stops the epoch; it does not skip every file as bad. */
    @Test
    void aDecoderThatCannotAugmentFailsLoudly() {
        SampleDecoder plainOnly =
                SampleDecoder.of(
                        pre.tensorSize(), (file, dst) -> pre.preprocess(ImageInput.of(file), dst));
        try (BatchLoader loader =
                        BatchLoader.builder(samples, plainOnly)
                                .optAugmentation(FLIP_ROTATE)
                                .optThreads(1)
                                .build();
                BatchIterator batches = loader.epoch(0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, batches::next);
            assertTrue(e.getMessage().contains("cannot apply an augmentation"), e.getMessage());
            assertEquals(0, loader.skippedCount());
        }
    }

    private static BatchLoader loader(long seed, Augmentation augmentation, int threads) {
        return BatchLoader.builder(samples, SampleDecoder.of(pre))
                .optBatchSize(5)
                .optSeed(seed)
                .optThreads(threads)
                .optAugmentation(augmentation)
                .build();
    }

    private static float[] epoch(BatchLoader loader, int epoch) {
        return all(loader.epoch(epoch));
    }

    private static float[] all(BatchIterator batches) {
        try (batches) {
            List<float[]> parts = new ArrayList<>();
            int total = 0;
            for (Batch batch : batches) {
                parts.add(batch.data());
                total += batch.data().length;
            }
            float[] out = new float[total];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return out;
        }
    }

    /** Each file's tensor in epoch {@code epoch}. */
    private static Function<Path, float[]> perSample(BatchLoader loader, int epoch) {
        List<float[]> tensors = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (BatchIterator batches = loader.epoch(epoch)) {
            for (Batch batch : batches) {
                int n = pre.tensorSize();
                for (int i = 0; i < batch.size(); i++) {
                    tensors.add(Arrays.copyOfRange(batch.data(), i * n, (i + 1) * n));
                    files.add(batch.files().get(i));
                }
            }
        }
        return file -> tensors.get(files.indexOf(file));
    }
}

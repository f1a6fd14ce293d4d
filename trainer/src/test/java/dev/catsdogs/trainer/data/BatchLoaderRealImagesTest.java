package dev.catsdogs.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.TestPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader with the inference module's real preprocessing, on real and broken JPEGs. */
class BatchLoaderRealImagesTest {

    private static final int SIZE = 96;

    @Test
    void decodesRealImagesAndSkipsBrokenOnes(@TempDir Path tmp) throws Exception {
        Path shared = TestPaths.catsAndDogs();
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            samples.add(new Sample(shared.resolve("train/cats/cat." + i + ".jpg"), 0));
            samples.add(new Sample(shared.resolve("train/dogs/dog." + i + ".jpg"), 1));
        }
        Path zeroBytes = Files.createFile(tmp.resolve("zero.jpg"));
        byte[] jpeg = Files.readAllBytes(samples.get(0).file());
        Path truncated =
                Files.write(tmp.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 3));
        Path text =
                Files.writeString(
                        tmp.resolve("text.jpg"), "not an image\n", StandardCharsets.UTF_8);
        Set<Path> broken = Set.of(zeroBytes, truncated, text);
        samples.add(3, new Sample(zeroBytes, 0));
        samples.add(17, new Sample(truncated, 1));
        samples.add(new Sample(text, 0));

        // The loader's threads and the preprocessor's native scratch have one owner each: this
        // test.
        try (ImagePreprocessor preprocessor =
                        new ImagePreprocessor(PreprocessingSpec.mobileNetV2(SIZE));
                BatchLoader loader =
                        BatchLoader.builder(samples, SampleDecoder.of(preprocessor))
                                .optBatchSize(8)
                                .optThreads(2)
                                .optSeed(1)
                                .build()) {
            for (int epoch = 0; epoch < 2; epoch++) {
                Set<Path> seen = new HashSet<>();
                List<Integer> sizes = new ArrayList<>();
                try (BatchIterator batches = loader.epoch(epoch)) {
                    for (Batch batch : batches) {
                        sizes.add(batch.size());
                        assertEquals(3 * SIZE * SIZE, batch.sampleSize());
                        for (float value : batch.data()) {
                            assertTrue(value >= -1.0001f && value <= 1.0001f, "value " + value);
                        }
                        seen.addAll(batch.files());
                    }
                }
                assertEquals(30, seen.size(), "epoch " + epoch);
                assertEquals(List.of(8, 8, 8, 6), sizes, "epoch " + epoch);
            }

            assertEquals(3, loader.skippedCount());
            assertEquals(
                    broken,
                    new HashSet<>(loader.skipped().stream().map(SkippedFile::path).toList()));
            for (SkippedFile skipped : loader.skipped()) {
                assertTrue(
                        skipped.reason().contains(skipped.path().toString()), skipped.toString());
            }
        }
    }

    @Test
    void batchesHoldExactlyThePreprocessorsTensors() throws Exception {
        Path shared = TestPaths.catsAndDogs();
        List<Sample> samples =
                List.of(
                        new Sample(shared.resolve("validation/cats/cat.2000.jpg"), 0),
                        new Sample(shared.resolve("validation/dogs/dog.2000.jpg"), 1),
                        new Sample(shared.resolve("validation/cats/cat.2001.jpg"), 0));
        try (ImagePreprocessor preprocessor =
                        new ImagePreprocessor(PreprocessingSpec.mobileNetV2(SIZE));
                BatchLoader loader =
                        BatchLoader.builder(samples, SampleDecoder.of(preprocessor))
                                .optBatchSize(2)
                                .build()) {
            List<Batch> batches = BatchLoaderTest.collect(loader.pass());

            int n = preprocessor.tensorSize();
            assertArrayEquals(
                    preprocessor.preprocess(ImageInput.of(samples.get(1).file())),
                    Arrays.copyOfRange(batches.get(0).data(), n, 2 * n));
            assertArrayEquals(
                    preprocessor.preprocess(ImageInput.of(samples.get(2).file())),
                    batches.get(1).data());
            assertArrayEquals(new int[] {0, 1}, batches.get(0).labels());
        }
    }
}

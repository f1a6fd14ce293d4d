package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.data.SampleDecoder;
import dev.catsdogs.trainer.data.ShuffleMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** samples.png shows what the first training batch holds, not the first files by name. */
class SamplesGridTest {

    @Test
    void firstBatchIsTheStartOfTheFirstShuffledEpochWithBothClasses() {
        // As a Dataset lists them: all cats (sorted by name), then all dogs.
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            samples.add(new Sample(Path.of("cats/cat." + i + ".jpg"), 0));
        }
        for (int i = 0; i < 100; i++) {
            samples.add(new Sample(Path.of("dogs/dog." + i + ".jpg"), 1));
        }
        SampleDecoder unused =
                new SampleDecoder() {
                    @Override
                    public void decode(Path file, java.nio.FloatBuffer dst) {
                        throw new AssertionError("the batch is chosen without decoding");
                    }

                    @Override
                    public int tensorSize() {
                        return 1;
                    }
                };
        try (BatchLoader train =
                BatchLoader.builder(samples, unused)
                        .optBatchSize(32)
                        .optSeed(42)
                        .optShuffle(ShuffleMode.EACH_EPOCH)
                        .build()) {
            List<Sample> batch = SamplesGrid.firstBatch(train, 32);
            assertEquals(train.order(0).subList(0, 32), batch, "what epoch 1 trains on first");
            assertNotEquals(samples.subList(0, 32), batch, "not the first files by name");
            Set<Integer> labels = batch.stream().map(Sample::label).collect(Collectors.toSet());
            assertEquals(Set.of(0, 1), labels, "both classes");
        }
    }
}

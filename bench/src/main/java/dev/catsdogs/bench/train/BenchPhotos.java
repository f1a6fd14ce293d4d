package dev.catsdogs.bench.train;

import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.Sample;
import dev.catsdogs.trainer.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The photos the full run, {@code --workflow} and {@code --pipeline} measure on: the data's split
 * as the trainer makes it (its default seed), every 10th photo with {@code --quick}.
 *
 * @param dir the data folder, as PyTorch's side is given it
 */
record BenchPhotos(Path dir, List<Sample> train, List<Sample> validation, int classes) {

    /**
     * @throws IOException or IllegalArgumentException, in one line naming the folder, when {@code
     *     dir} is not a data folder
     */
    static BenchPhotos load(Path dir, BenchSettings settings) throws IOException {
        Dataset dataset = Dataset.load(dir, TrainingConfig.DEFAULT_SEED);
        return new BenchPhotos(
                dir,
                settings.sized(dataset.train()),
                settings.sized(dataset.validation()),
                dataset.classNames().size());
    }
}

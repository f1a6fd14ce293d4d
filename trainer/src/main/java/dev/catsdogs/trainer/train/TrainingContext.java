package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.data.BatchLoader;
import dev.catsdogs.trainer.data.Dataset;
import dev.catsdogs.trainer.data.SkippedFile;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * What a training run works on, handed to listeners when it begins.
 *
 * @param config the settings
 * @param dataset the examined data set
 * @param network the network being trained (read-only for listeners, e.g. to save its parameters)
 * @param train the training split's loader; loaders count the files they could not decode
 * @param validation the validation split's loader
 * @param test the test split's loader, or null when there is no test split
 */
public record TrainingContext(
        TrainingConfig config,
        Dataset dataset,
        TransferNetwork network,
        BatchLoader train,
        BatchLoader validation,
        BatchLoader test) {

    /** The loaders in use: train, validation, and test if there is one. */
    public List<BatchLoader> loaders() {
        return test == null ? List.of(train, validation) : List.of(train, validation, test);
    }

    /** Files skipped by the scan (extension) and by decoding so far, each once. */
    public List<SkippedFile> skipped() {
        List<SkippedFile> skipped = new ArrayList<>(dataset.skipped());
        for (BatchLoader loader : loaders()) {
            skipped.addAll(loader.skipped());
        }
        return skipped;
    }

    /** Epochs over both phases, for "Epoch 3/20". */
    public int totalEpochs() {
        return config.totalEpochs();
    }
}

package dev.catsdogs.trainer.train;

import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.optimizer.OptimizerType;
import java.net.URI;
import java.nio.file.Path;

/**
 * The {@code config.json} of runs written before {@link TrainingConfig} had groups: every setting
 * at the top level. Read only, so that {@code export} and {@code train --resume} still take those
 * runs. A setting missing from an older file reads as Gson's zero, which is what those runs did (no
 * fast JPEG decoding, float32), or as the seed's where noted.
 */
record FlatConfig(
        Path dataDir,
        URI dataUrl,
        String weights,
        String weightsSha256,
        Path outDir,
        long seed,
        int imageSize,
        int batchSize,
        int initialEpochs,
        int fineTuneEpochs,
        int fineTuneAt,
        float learningRate,
        float fineTuneLearningRate,
        Recipe recipe,
        OptimizerType optimizer,
        OptimizerType fineTuneOptimizer,
        float dropout,
        Augmentation augmentation,
        int augmentViews,
        int evaluationSteps,
        String device,
        Precision precision,
        boolean cache,
        long cacheBudgetBytes,
        int decoderThreads,
        boolean fastJpegDecode,
        int sampleImages,
        boolean export,
        int parityImages,
        EarlyStopping earlyStopping,
        LearningRateSchedule learningRateSchedule,
        ClassWeighting classWeighting) {

    /** Whether a {@code config.json} object is of this form: settings at the top level. */
    static boolean isFlat(com.google.gson.JsonObject json) {
        return !json.has("data") && json.has("imageSize");
    }

    /** The same settings in groups. */
    TrainingConfig toConfig() {
        // Records' null checks default what older files lack: optimizers to RMSprop (the seed's),
        // schedules to constant, early stopping off, no class weights, float32.
        return new TrainingConfig(
                seed,
                recipe,
                new DataSettings(
                        dataDir,
                        dataUrl,
                        imageSize,
                        batchSize,
                        augmentation,
                        augmentViews,
                        fastJpegDecode),
                new ModelSettings(weights, weightsSha256, dropout, fineTuneAt),
                new PhaseSettings(
                        initialEpochs,
                        optimizer,
                        learningRate,
                        learningRateSchedule,
                        earlyStopping),
                new PhaseSettings(
                        fineTuneEpochs,
                        fineTuneOptimizer,
                        fineTuneLearningRate,
                        learningRateSchedule,
                        earlyStopping),
                classWeighting,
                evaluationSteps,
                new RuntimeSettings(device, precision, cache, cacheBudgetBytes, decoderThreads),
                new OutputSettings(outDir, sampleImages, export, parityImages));
    }
}

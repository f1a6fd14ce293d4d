package dev.catsdogs.trainer.train;

import java.net.URI;
import java.nio.file.Path;

/**
 * Every setting of a training run; the defaults are the seed's (TensorFlow's transfer-learning
 * tutorial). Written to {@code config.json} in the run directory.
 *
 * @param dataDir images on disk (split or class-folder layout), or null to download the tutorial's zip
 * @param dataUrl where the tutorial's zip is downloaded from when {@code dataDir} is null
 * @param weights the ImageNet MobileNetV2 ONNX file or URL
 * @param weightsSha256 expected SHA-256 of a downloaded weights file, or null
 * @param outDir the run directory
 * @param seed the one seed every random choice derives from
 * @param imageSize input height and width
 * @param batchSize images per step
 * @param initialEpochs feature-extraction epochs
 * @param fineTuneEpochs fine-tuning epochs (0 skips the phase)
 * @param fineTuneAt first trainable Keras layer of the base in fine-tuning
 * @param learningRate RMSprop learning rate of feature extraction
 * @param fineTuneLearningRate RMSprop learning rate of fine-tuning
 * @param rho RMSprop decay
 * @param epsilon RMSprop epsilon
 * @param evaluationSteps validation batches of the evaluation before training
 * @param device "auto", "cpu", "gpu" or "gpu:N"
 * @param cache whether frozen layers' activations are cached (results are the same either way)
 * @param cacheBudgetBytes activation cache kept in memory; beyond it, memory-mapped from disk
 * @param decoderThreads image decoding threads
 * @param sampleImages images shown in samples.png
 * @param export whether to export the trained model to ONNX at the end
 * @param parityImages validation images of the export's parity check
 */
public record TrainingConfig(
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
        float rho,
        float epsilon,
        int evaluationSteps,
        String device,
        boolean cache,
        long cacheBudgetBytes,
        int decoderThreads,
        int sampleImages,
        boolean export,
        int parityImages) {

    public TrainingConfig {
        require(imageSize >= 32, "imageSize", imageSize, ">= 32");
        require(batchSize >= 1, "batchSize", batchSize, ">= 1");
        require(initialEpochs >= 0, "initialEpochs", initialEpochs, ">= 0");
        require(fineTuneEpochs >= 0, "fineTuneEpochs", fineTuneEpochs, ">= 0");
        require(fineTuneAt >= 0 && fineTuneAt <= 155, "fineTuneAt", fineTuneAt, "0..155");
        require(learningRate > 0, "learningRate", learningRate, "> 0");
        require(fineTuneLearningRate > 0, "fineTuneLearningRate", fineTuneLearningRate, "> 0");
        require(evaluationSteps >= 0, "evaluationSteps", evaluationSteps, ">= 0");
        require(decoderThreads >= 1, "decoderThreads", decoderThreads, ">= 1");
        require(cacheBudgetBytes >= 0, "cacheBudgetBytes", cacheBudgetBytes, ">= 0");
    }

    private static void require(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("Received " + name + "=" + value + "; expected " + expected);
        }
    }
}

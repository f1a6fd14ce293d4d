package dev.catsdogs.trainer.train;

import dev.catsdogs.inference.ImagePreprocessor;
import dev.catsdogs.inference.PreprocessingSpec;
import dev.catsdogs.trainer.data.Augmentation;
import dev.catsdogs.trainer.data.TutorialDataset;
import dev.catsdogs.trainer.model.Precision;
import dev.catsdogs.trainer.optimizer.KerasRmsProp;
import dev.catsdogs.trainer.optimizer.LearningRateSchedule;
import dev.catsdogs.trainer.optimizer.OptimizerType;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Every setting of a training run; the defaults are the seed's (TensorFlow's transfer-learning
 * tutorial). Written to {@code config.json} in the run directory, whose keys are these component
 * names. Build it with {@link #builder(Path)}: required values in the builder's constructor,
 * optional ones through {@code opt*}, checked by {@link Builder#build()}.
 *
 * @param dataDir images on disk (split or class-folder layout), or null to download the tutorial's
 *     zip
 * @param dataUrl where the tutorial's zip is downloaded from when {@code dataDir} is null
 * @param weights the ImageNet MobileNetV2 ONNX file or URL, or null for the shipped one
 * @param weightsSha256 expected SHA-256 of a downloaded weights file, or null
 * @param outDir the run directory
 * @param seed the one seed every random choice derives from
 * @param imageSize input height and width
 * @param batchSize images per step
 * @param initialEpochs feature-extraction epochs
 * @param fineTuneEpochs fine-tuning epochs (0 skips the phase)
 * @param fineTuneAt first trainable Keras layer of the base in fine-tuning
 * @param learningRate learning rate of feature extraction
 * @param fineTuneLearningRate learning rate of fine-tuning
 * @param rho RMSprop decay
 * @param epsilon RMSprop epsilon
 * @param recipe the named set of settings the run started from ({@link Recipe#SEED} by default);
 *     the fields below hold what was finally used
 * @param optimizer optimizer of feature extraction
 * @param fineTuneOptimizer optimizer of fine-tuning
 * @param dropout fraction of the pooled features dropped before the Dense layer in training
 * @param augmentation random changes to the training images ({@link Augmentation#NONE}: none)
 * @param augmentViews with augmentation and caching: augmented views of each training image cached
 *     per phase, one drawn per epoch; 0 leaves the training split uncached (a new draw every epoch,
 *     exact)
 * @param evaluationSteps validation batches of the evaluation before training
 * @param device "auto", "cpu", "gpu" or "gpu:N", as given (the CLI resolves it to a device)
 * @param precision the type of the training forwards (float32 by default; see {@link
 *     dev.catsdogs.trainer.model.TransferNetwork#setPrecision}); weights, optimizer, loss and
 *     export stay float32. A {@code config.json} from before this setting reads as float32
 * @param cache whether frozen layers' activations are cached (results are the same either way)
 * @param cacheBudgetBytes bytes of each activation cache: one that fits lives on the training
 *     device; a larger one in host memory up to this size, memory-mapped from disk beyond it
 * @param decoderThreads image decoding threads
 * @param fastJpegDecode whether JPEGs are decoded straight at 1/8, 1/4 or 1/2 size (the default;
 *     see {@code ImagePreprocessor.Builder#optFastJpegDecode}); recorded in the model, whose
 *     classifier then decodes the same way. A {@code config.json} from before this setting reads as
 *     false: those runs decoded at full size
 * @param sampleImages images shown in samples.png
 * @param export whether to export the trained model to ONNX at the end
 * @param parityImages validation images of the export's parity check
 * @param earlyStopping when a phase stops before its last epoch ({@link EarlyStopping#OFF}: never)
 * @param learningRateSchedule how the learning rate moves within each phase
 * @param classWeighting how much each class's images count in the training loss
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

    /** The seed's seed. */
    public static final long DEFAULT_SEED = 42;

    /** The tutorial's input size. */
    public static final int DEFAULT_IMAGE_SIZE = 160;

    /** The tutorial's batch size. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    /** The tutorial's feature-extraction epochs. */
    public static final int DEFAULT_INITIAL_EPOCHS = 10;

    /** The tutorial's fine-tuning epochs. */
    public static final int DEFAULT_FINE_TUNE_EPOCHS = 10;

    /**
     * The tutorial's first trainable layer in fine-tuning: layer 100, {@code block_11_expand_BN}.
     */
    public static final int DEFAULT_FINE_TUNE_AT = 100;

    /** The tutorial's feature-extraction learning rate. */
    public static final float DEFAULT_LEARNING_RATE = 1e-4f;

    /** The tutorial's fine-tuning learning rate (a tenth of the first). */
    public static final float DEFAULT_FINE_TUNE_LEARNING_RATE = 1e-5f;

    /** The tutorial's {@code validation_steps=20} of the evaluation before training. */
    public static final int DEFAULT_EVALUATION_STEPS = 20;

    /** Bytes of each activation cache on the device, or in host memory before it spills: 4 GiB. */
    public static final long DEFAULT_CACHE_BUDGET_BYTES = 4L << 30;

    /** Images in samples.png: a 4x4 grid. */
    public static final int DEFAULT_SAMPLE_IMAGES = 16;

    /** Validation images of the export's parity check. */
    public static final int DEFAULT_PARITY_IMAGES = 64;

    /** Largest {@code augmentViews}: each view costs a pass of the frozen layers over the data. */
    public static final int MAX_AUGMENT_VIEWS = 100;

    /** Largest input side: far above any classifier input, small enough to fit in memory. */
    public static final int MAX_IMAGE_SIZE = 1024;

    /** Largest batch: a batch is copied into one array ({@code 3 * size^2 * 4} bytes per image). */
    public static final int MAX_BATCH_SIZE = 4096;

    /** Largest Keras layer index of MobileNetV2's base that can start fine-tuning. */
    public static final int MAX_FINE_TUNE_AT = 155;

    public TrainingConfig {
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(device, "device");
        // A config.json written before these settings existed describes a seed run.
        recipe = recipe == null ? Recipe.SEED : recipe;
        optimizer = optimizer == null ? OptimizerType.RMSPROP : optimizer;
        fineTuneOptimizer = fineTuneOptimizer == null ? OptimizerType.RMSPROP : fineTuneOptimizer;
        augmentation = augmentation == null ? Augmentation.NONE : augmentation;
        earlyStopping = earlyStopping == null ? EarlyStopping.OFF : earlyStopping;
        learningRateSchedule =
                learningRateSchedule == null ? LearningRateSchedule.CONSTANT : learningRateSchedule;
        classWeighting = classWeighting == null ? ClassWeighting.NONE : classWeighting;
        precision = precision == null ? Precision.FP32 : precision;
        require(dropout >= 0 && dropout < 1, "dropout", dropout, "0 <= dropout < 1");
        require(
                augmentViews >= 0 && augmentViews <= MAX_AUGMENT_VIEWS,
                "augmentViews",
                augmentViews,
                "0.." + MAX_AUGMENT_VIEWS);
        require(
                augmentViews == 0 || augmentation.enabled(),
                "augmentViews",
                augmentViews,
                "0 without augmentation (there is nothing to draw views of)");
        require(
                augmentViews == 0 || cache,
                "augmentViews",
                augmentViews,
                "0 without caching (views are a cache)");
        require(
                imageSize >= 32 && imageSize <= MAX_IMAGE_SIZE,
                "imageSize",
                imageSize,
                "32.." + MAX_IMAGE_SIZE);
        require(
                batchSize >= 1 && batchSize <= MAX_BATCH_SIZE,
                "batchSize",
                batchSize,
                "1.." + MAX_BATCH_SIZE);
        require(initialEpochs >= 0, "initialEpochs", initialEpochs, ">= 0");
        require(fineTuneEpochs >= 0, "fineTuneEpochs", fineTuneEpochs, ">= 0");
        require(
                fineTuneAt >= 0 && fineTuneAt <= MAX_FINE_TUNE_AT,
                "fineTuneAt",
                fineTuneAt,
                "0.." + MAX_FINE_TUNE_AT);
        require(
                learningRate > 0 && Float.isFinite(learningRate),
                "learningRate",
                learningRate,
                "> 0");
        require(
                fineTuneLearningRate > 0 && Float.isFinite(fineTuneLearningRate),
                "fineTuneLearningRate",
                fineTuneLearningRate,
                "> 0");
        require(rho >= 0 && rho < 1, "rho", rho, "0 <= rho < 1");
        require(epsilon > 0, "epsilon", epsilon, "> 0");
        require(evaluationSteps >= 0, "evaluationSteps", evaluationSteps, ">= 0");
        require(decoderThreads >= 1, "decoderThreads", decoderThreads, ">= 1");
        require(cacheBudgetBytes >= 0, "cacheBudgetBytes", cacheBudgetBytes, ">= 0");
        require(sampleImages >= 0, "sampleImages", sampleImages, ">= 0");
        require(parityImages >= 1, "parityImages", parityImages, ">= 1");
    }

    /**
     * The preprocessing this run trains with (and its model is checked and served with): the
     * classifier's, at {@link #imageSize}, decoding JPEGs as {@link #fastJpegDecode} says.
     */
    public ImagePreprocessor preprocessor() {
        return ImagePreprocessor.builder(PreprocessingSpec.mobileNetV2(imageSize))
                .optFastJpegDecode(fastJpegDecode)
                .build();
    }

    /**
     * Whether the training split's frozen-layer activations are cached: with caching on, always
     * without augmentation, and with augmentation only as {@code augmentViews} views (a single
     * cached draw would train every epoch on the same changed images). Validation, never augmented,
     * is cached whenever caching is on.
     */
    public boolean cachesTraining() {
        return cache && (!augmentation.enabled() || augmentViews > 0);
    }

    /** Starts a builder with the seed's defaults, writing the run to {@code outDir}. */
    public static Builder builder(Path outDir) {
        return new Builder(outDir);
    }

    /** A builder preset with this configuration's values, to change a few of them. */
    public Builder toBuilder() {
        Builder b = new Builder(outDir);
        b.dataDir = dataDir;
        b.dataUrl = dataUrl;
        b.weights = weights;
        b.weightsSha256 = weightsSha256;
        b.seed = seed;
        b.imageSize = imageSize;
        b.batchSize = batchSize;
        b.initialEpochs = initialEpochs;
        b.fineTuneEpochs = fineTuneEpochs;
        b.fineTuneAt = fineTuneAt;
        b.learningRate = learningRate;
        b.fineTuneLearningRate = fineTuneLearningRate;
        b.rho = rho;
        b.epsilon = epsilon;
        b.recipe = recipe;
        b.optimizer = optimizer;
        b.fineTuneOptimizer = fineTuneOptimizer;
        b.dropout = dropout;
        b.augmentation = augmentation;
        b.augmentViews = augmentViews;
        b.evaluationSteps = evaluationSteps;
        b.device = device;
        b.precision = precision;
        b.cache = cache;
        b.cacheBudgetBytes = cacheBudgetBytes;
        b.decoderThreads = decoderThreads;
        b.fastJpegDecode = fastJpegDecode;
        b.sampleImages = sampleImages;
        b.export = export;
        b.parityImages = parityImages;
        b.earlyStopping = earlyStopping;
        b.learningRateSchedule = learningRateSchedule;
        b.classWeighting = classWeighting;
        return b;
    }

    /** Named settings with the seed's defaults; {@link #build()} checks them. */
    public static final class Builder {
        private final Path outDir;
        private Path dataDir;
        private URI dataUrl = TutorialDataset.DEFAULT_URL;
        private String weights;
        private String weightsSha256;
        private long seed = DEFAULT_SEED;
        private int imageSize = DEFAULT_IMAGE_SIZE;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int initialEpochs = DEFAULT_INITIAL_EPOCHS;
        private int fineTuneEpochs = DEFAULT_FINE_TUNE_EPOCHS;
        private int fineTuneAt = DEFAULT_FINE_TUNE_AT;
        private float learningRate = DEFAULT_LEARNING_RATE;
        private float fineTuneLearningRate = DEFAULT_FINE_TUNE_LEARNING_RATE;
        private float rho = KerasRmsProp.DEFAULT_RHO;
        private float epsilon = KerasRmsProp.DEFAULT_EPSILON;
        private Recipe recipe = Recipe.SEED;
        private OptimizerType optimizer = Recipe.SEED.optimizer();
        private OptimizerType fineTuneOptimizer = Recipe.SEED.fineTuneOptimizer();
        private float dropout = Recipe.SEED.dropout();
        private Augmentation augmentation = Recipe.SEED.augmentation();
        private int augmentViews;
        private int evaluationSteps = DEFAULT_EVALUATION_STEPS;
        private String device = "auto";
        private Precision precision = Precision.FP32;
        private boolean cache = true;
        private long cacheBudgetBytes = DEFAULT_CACHE_BUDGET_BYTES;
        private int decoderThreads = Runtime.getRuntime().availableProcessors();
        private boolean fastJpegDecode = true;
        private int sampleImages = DEFAULT_SAMPLE_IMAGES;
        private boolean export = true;
        private int parityImages = DEFAULT_PARITY_IMAGES;
        private EarlyStopping earlyStopping = EarlyStopping.OFF;
        private LearningRateSchedule learningRateSchedule = LearningRateSchedule.CONSTANT;
        private ClassWeighting classWeighting = ClassWeighting.NONE;

        private Builder(Path outDir) {
            this.outDir = Objects.requireNonNull(outDir, "outDir");
        }

        /** Images on disk; default null: download the tutorial's zip from {@link #optDataUrl}. */
        public Builder optDataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder optDataUrl(URI dataUrl) {
            this.dataUrl = Objects.requireNonNull(dataUrl, "dataUrl");
            return this;
        }

        /** ImageNet weights file or URL; default null: the shipped file. */
        public Builder optWeights(String weights) {
            this.weights = weights;
            return this;
        }

        public Builder optWeightsSha256(String weightsSha256) {
            this.weightsSha256 = weightsSha256;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder optImageSize(int imageSize) {
            this.imageSize = imageSize;
            return this;
        }

        public Builder optBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Feature-extraction epochs. */
        public Builder optInitialEpochs(int initialEpochs) {
            this.initialEpochs = initialEpochs;
            return this;
        }

        /** Fine-tuning epochs; 0 skips the phase. */
        public Builder optFineTuneEpochs(int fineTuneEpochs) {
            this.fineTuneEpochs = fineTuneEpochs;
            return this;
        }

        public Builder optFineTuneAt(int fineTuneAt) {
            this.fineTuneAt = fineTuneAt;
            return this;
        }

        public Builder optLearningRate(float learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder optFineTuneLearningRate(float fineTuneLearningRate) {
            this.fineTuneLearningRate = fineTuneLearningRate;
            return this;
        }

        /** RMSprop's decay and epsilon; default Keras' ({@link KerasRmsProp#DEFAULT_RHO}, ...). */
        public Builder optRmsProp(float rho, float epsilon) {
            this.rho = rho;
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Starts from a recipe's settings (optimizers, dropout, augmentation); {@code opt*} calls
         * after this one change them.
         */
        public Builder optEarlyStopping(EarlyStopping earlyStopping) {
            this.earlyStopping = Objects.requireNonNull(earlyStopping, "earlyStopping");
            return this;
        }

        public Builder optLearningRateSchedule(LearningRateSchedule learningRateSchedule) {
            this.learningRateSchedule =
                    Objects.requireNonNull(learningRateSchedule, "learningRateSchedule");
            return this;
        }

        public Builder optClassWeighting(ClassWeighting classWeighting) {
            this.classWeighting = Objects.requireNonNull(classWeighting, "classWeighting");
            return this;
        }

        public Builder optRecipe(Recipe recipe) {
            this.recipe = Objects.requireNonNull(recipe, "recipe");
            this.optimizer = recipe.optimizer();
            this.fineTuneOptimizer = recipe.fineTuneOptimizer();
            this.dropout = recipe.dropout();
            this.augmentation = recipe.augmentation();
            return this;
        }

        /** Optimizer of feature extraction; default RMSprop (the seed's). */
        public Builder optOptimizer(OptimizerType optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            return this;
        }

        /** Optimizer of fine-tuning; default RMSprop (the seed's). */
        public Builder optFineTuneOptimizer(OptimizerType fineTuneOptimizer) {
            this.fineTuneOptimizer = Objects.requireNonNull(fineTuneOptimizer, "fineTuneOptimizer");
            return this;
        }

        /** Dropout before the Dense layer; default 0 (the seed's). */
        public Builder optDropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        /** Random changes to the training images; default none (the seed's). */
        public Builder optAugmentation(Augmentation augmentation) {
            this.augmentation = Objects.requireNonNull(augmentation, "augmentation");
            return this;
        }

        /**
         * Augmented views of each training image cached per phase; default 0: with augmentation,
         * the training split is not cached.
         */
        public Builder optAugmentViews(int augmentViews) {
            this.augmentViews = augmentViews;
            return this;
        }

        public Builder optEvaluationSteps(int evaluationSteps) {
            this.evaluationSteps = evaluationSteps;
            return this;
        }

        /** "auto", "cpu", "gpu" or "gpu:N", recorded as given. */
        public Builder optDevice(String device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** The type of the training forwards; default float32. */
        public Builder optPrecision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        public Builder optCache(boolean cache) {
            this.cache = cache;
            return this;
        }

        public Builder optCacheBudgetBytes(long cacheBudgetBytes) {
            this.cacheBudgetBytes = cacheBudgetBytes;
            return this;
        }

        /** Image decoding threads; default the number of cores. */
        public Builder optDecoderThreads(int decoderThreads) {
            this.decoderThreads = decoderThreads;
            return this;
        }

        /** Scaled JPEG decoding (default true); false decodes every JPEG at full size. */
        public Builder optFastJpegDecode(boolean fastJpegDecode) {
            this.fastJpegDecode = fastJpegDecode;
            return this;
        }

        public Builder optSampleImages(int sampleImages) {
            this.sampleImages = sampleImages;
            return this;
        }

        public Builder optExport(boolean export) {
            this.export = export;
            return this;
        }

        public Builder optParityImages(int parityImages) {
            this.parityImages = parityImages;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first setting out of range and what it must
         *     be
         */
        public TrainingConfig build() {
            return new TrainingConfig(
                    dataDir,
                    dataUrl,
                    weights,
                    weightsSha256,
                    outDir,
                    seed,
                    imageSize,
                    batchSize,
                    initialEpochs,
                    fineTuneEpochs,
                    fineTuneAt,
                    learningRate,
                    fineTuneLearningRate,
                    rho,
                    epsilon,
                    recipe,
                    optimizer,
                    fineTuneOptimizer,
                    dropout,
                    augmentation,
                    augmentViews,
                    evaluationSteps,
                    device,
                    precision,
                    cache,
                    cacheBudgetBytes,
                    decoderThreads,
                    fastJpegDecode,
                    sampleImages,
                    export,
                    parityImages,
                    earlyStopping,
                    learningRateSchedule,
                    classWeighting);
        }
    }

    private static void require(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "Received " + name + "=" + value + "; expected " + expected);
        }
    }
}

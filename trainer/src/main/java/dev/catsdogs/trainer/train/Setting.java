package dev.catsdogs.trainer.train;

/**
 * The training settings that have a valid range, as named in {@code config.json}: what an {@link
 * InvalidSettingException} names, and what a command line maps to its own option (one table, no
 * message parsing).
 */
public enum Setting {
    IMAGE_SIZE("imageSize"),
    BATCH_SIZE("batchSize"),
    AUGMENT_VIEWS("augmentViews"),
    DROPOUT("dropout"),
    FINE_TUNE_AT("fineTuneAt"),
    EPOCHS("epochs"),
    LEARNING_RATE("learningRate"),
    EARLY_STOPPING_PATIENCE("patience"),
    EARLY_STOPPING_MIN_DELTA("minDelta"),
    WARMUP_EPOCHS("warmupEpochs"),
    EVALUATION_STEPS("evaluationSteps"),
    DECODER_THREADS("decoderThreads"),
    CACHE_BUDGET_BYTES("cacheBudgetBytes"),
    SAMPLE_IMAGES("sampleImages"),
    PARITY_IMAGES("parityImages");

    private final String key;

    Setting(String key) {
        this.key = key;
    }

    /** The name of the setting in its record and in {@code config.json}. */
    public String key() {
        return key;
    }

    /**
     * @throws InvalidSettingException unless {@code ok}: {@code value} of this setting is not
     *     {@code expected}
     */
    void require(boolean ok, Object value, String expected) {
        if (!ok) {
            throw new InvalidSettingException(this, value, expected);
        }
    }
}

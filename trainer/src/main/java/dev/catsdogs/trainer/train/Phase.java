package dev.catsdogs.trainer.train;

/** The seed's two training phases. */
public enum Phase {
    /** Base frozen, only the head trains. */
    FEATURE_EXTRACTION("feature_extraction"),
    /** Base unfrozen from a Keras layer index, lower learning rate. */
    FINE_TUNING("fine_tuning");

    private final String key;

    Phase(String key) {
        this.key = key;
    }

    /** The name used in report.json and history.csv. */
    public String key() {
        return key;
    }
}

package dev.catsdogs.bench;

/**
 * The {@code precision} parameter of the benchmarks that run either model: {@value #FP32} is the
 * float model ({@link Workspace#model()}), {@value #INT8} its int8 QDQ export ({@link
 * Workspace#int8Model()}). JMH parameters are strings, so these are too.
 */
public final class Precision {

    /** The JMH parameter's name. */
    public static final String PARAM = "precision";

    public static final String FP32 = "fp32";
    public static final String INT8 = "int8";

    private Precision() {}
}

package dev.catsdogs.spark.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, not a JVM shutdown: the first signal runs
 * {@code onStop} (which cancels the Spark job) and {@code score} winds down itself: the temporary
 * output is deleted, Spark is stopped, one line says so, exit 130. A second signal quits at once. A
 * JVM shutdown would run every shutdown hook at the same time, Spark's and the classifiers' among
 * them, while tasks still run: "classifyAll called on a closed ImageClassifier" and Spark's "You
 * hit a bug in Spark", with stack traces. (The trainer's {@code InterruptSignal} does the same.)
 */
final class StopSignal implements AutoCloseable {

    private static final String[] SIGNALS = {"INT", "TERM"};

    private final SignalHandler[] previous = new SignalHandler[SIGNALS.length];
    private volatile boolean raised;

    private StopSignal(Runnable onStop) {
        for (int i = 0; i < SIGNALS.length; i++) {
            int index = i;
            try {
                previous[i] =
                        Signal.handle(
                                new Signal(SIGNALS[i]),
                                signal -> {
                                    if (raised) {
                                        previous[index].handle(signal); // the second: quit now
                                        return;
                                    }
                                    raised = true;
                                    System.err.println(
                                            System.lineSeparator()
                                                    + "score: stopping (again to quit at once)");
                                    onStop.run();
                                });
            } catch (IllegalArgumentException ignoredByParent) {
                // A signal the parent ignores (SIGINT under nohup or in a background job) cannot
                // be handled here; it cannot reach the process either.
                previous[i] = null;
            }
        }
    }

    /** Handles the signals until {@link #close()}, which restores the previous handlers. */
    static StopSignal install(Runnable onStop) {
        return new StopSignal(onStop);
    }

    /** Whether a stop was requested. */
    boolean raised() {
        return raised;
    }

    @Override
    public void close() {
        for (int i = 0; i < SIGNALS.length; i++) {
            if (previous[i] != null) {
                Signal.handle(new Signal(SIGNALS[i]), previous[i]);
            }
        }
    }
}

package dev.catsdogs.inference.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, not a JVM shutdown: the first signal runs
 * {@code onStop} and the command winds down itself (train: an "interrupted" report, no half-written
 * file; score: the Spark job cancelled, the temporary output deleted); a second one quits at once.
 * A shutdown hook would not do: the JVM runs all hooks at the same time, among them ONNX Runtime's
 * and Spark's, while work still runs (a SIGBUS during the export's parity check; "classifyAll
 * called on a closed ImageClassifier" and Spark's "You hit a bug in Spark" in score). One
 * implementation for every command.
 */
public final class InterruptSignal implements AutoCloseable {

    private static final String[] SIGNALS = {"INT", "TERM"};

    private final SignalHandler[] previous = new SignalHandler[SIGNALS.length];
    private volatile boolean raised;

    private InterruptSignal(String notice, Runnable onStop) {
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
                                    System.err.println(System.lineSeparator() + notice);
                                    onStop.run();
                                });
            } catch (IllegalArgumentException ignoredByParent) {
                // A signal the parent ignores (SIGINT under nohup or in a background job) cannot
                // be handled here; it cannot reach the process either.
                previous[i] = null;
            }
        }
    }

    /**
     * Handles the signals until {@link #close()}, which restores the previous handlers; {@code
     * notice} is the line printed at the first signal.
     */
    public static InterruptSignal install(String notice, Runnable onStop) {
        return new InterruptSignal(notice, onStop);
    }

    /** {@link #install(String, Runnable)} with the trainer's notice. */
    public static InterruptSignal install(Runnable onStop) {
        return install("stopping after the current step (again to quit at once)", onStop);
    }

    /** Whether a stop was requested. */
    public boolean raised() {
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

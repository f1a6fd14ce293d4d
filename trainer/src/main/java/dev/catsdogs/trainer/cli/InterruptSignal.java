package dev.catsdogs.trainer.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop, not a JVM shutdown: the first signal runs
 * {@code onStop} and the command winds down itself (an "interrupted" report, no half-written file);
 * a second one quits at once. A shutdown hook would not do: the JVM runs all hooks at the same
 * time, among them ONNX Runtime's, which can free native memory under a session that is still
 * running (a SIGBUS seen during the export's parity check).
 */
final class InterruptSignal implements AutoCloseable {

    private static final String[] SIGNALS = {"INT", "TERM"};

    private final SignalHandler[] previous = new SignalHandler[SIGNALS.length];
    private volatile boolean raised;

    private InterruptSignal(Runnable onStop) {
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
                                                    + "stopping after the current step (again to"
                                                    + " quit at once)");
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
    static InterruptSignal install(Runnable onStop) {
        return new InterruptSignal(onStop);
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

package dev.catsdogs.inference.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A command's progress through its inputs, on the command's stderr writer (never System.err, so it
 * never mixes with results): a bar redrawn in place when stderr is a terminal, else a plain line
 * per tenth of the inputs for logs ({@code classify: 20/200 inputs (10%)}). Silent for {@value
 * #ABOVE} inputs or fewer.
 */
final class Progress implements AutoCloseable {

    /** Inputs above which progress is shown. */
    static final int ABOVE = 50;

    private final String command;
    private final PrintWriter err;
    private final int total;
    private final boolean shown;
    private ProgressBar bar;
    private int done;

    /**
     * @param command the name lines start with
     * @param terminal whether stderr is a terminal, so a bar can redraw
     */
    Progress(String command, PrintWriter err, int total, boolean terminal) {
        this.command = command;
        this.err = err;
        this.total = total;
        this.shown = total > ABOVE;
        this.bar = shown && terminal ? bar(command, err, total) : null;
    }

    /** {@code done} of the inputs are finished. */
    void advanceTo(int done) {
        if (bar != null) {
            bar.stepTo(done);
        } else if (shown) {
            // A line each time a tenth is crossed; the percentage is the share done (16 of 58 is
            // 27%), not the tenth crossed.
            if (10L * done / total > 10L * this.done / total) {
                err.println(
                        command
                                + ": "
                                + done
                                + "/"
                                + total
                                + " inputs ("
                                + 100L * done / total
                                + "%)");
                err.flush();
            }
        }
        this.done = done;
    }

    /** Ends the bar and its line, so that what follows starts a line of its own. Idempotent. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
            err.println();
            err.flush();
        }
    }

    private static ProgressBar bar(String command, PrintWriter err, int total) {
        return new ProgressBarBuilder()
                .setTaskName(command)
                .setInitialMax(total)
                .setUpdateIntervalMillis(250)
                .setStyle(ProgressBarStyle.UNICODE_BLOCK) // no colour escapes in redirected stderr
                .setConsumer(
                        new DelegatingProgressBarConsumer(
                                line -> {
                                    err.print('\r');
                                    err.print(line);
                                    err.flush();
                                },
                                80))
                .build();
    }
}

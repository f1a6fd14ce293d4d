package dev.catsdogs.inference.cli;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * How the commands show log records: one line each on stderr, {@code catsdogs: note: ...} or {@code
 * catsdogs: warning: ...}, instead of java.util.logging's two lines with a time stamp.
 *
 * <p>The inference library logs its notices (JPEG decoding without libturbojpeg and why, natives
 * extracted to the cache, telemetry that could not be switched off) at {@code DEBUG} through {@code
 * System.Logger}, so an application hears nothing unless it asks; the commands ask. DJL, bound to
 * java.util.logging through slf4j-jdk14 in the trainer, shows its warnings only.
 */
public final class CliLogging {

    /** The library's loggers; held so that the configured level is not garbage-collected away. */
    private static final Logger LIBRARY = Logger.getLogger("dev.catsdogs.inference");

    private static final Logger DJL = Logger.getLogger("ai.djl");

    // DJL's GPU probe warns at every start on a machine whose CUDA runtime has no usable driver
    // ("Failed to detect GPU count: CUDA driver version is insufficient"); --device gpu says so
    // itself when a GPU is asked for and not seen.
    private static final Logger DJL_GPU_PROBE = Logger.getLogger("ai.djl.util.cuda.CudaUtils");

    private CliLogging() {}

    /**
     * Replaces java.util.logging's console output with the one-line form; the library's notices
     * shown, DJL's below WARNING not. A {@code -Djava.util.logging.config.file} of the user's wins.
     */
    public static void install() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        Handler stderr =
                new StreamHandler(System.err, new OneLine()) {
                    @Override
                    public synchronized void publish(LogRecord record) {
                        super.publish(record);
                        flush(); // a line at a time, in order with the command's own output
                    }
                };
        stderr.setLevel(Level.ALL);
        root.addHandler(stderr);
        LIBRARY.setLevel(Level.FINE); // System.Logger's DEBUG
        DJL.setLevel(Level.WARNING);
        DJL_GPU_PROBE.setLevel(Level.SEVERE);
    }

    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            String kind =
                    record.getLevel().intValue() >= Level.WARNING.intValue() ? "warning" : "note";
            return "catsdogs: "
                    + kind
                    + ": "
                    + formatMessage(record).replaceAll("\\s+", " ").strip()
                    + System.lineSeparator();
        }
    }
}

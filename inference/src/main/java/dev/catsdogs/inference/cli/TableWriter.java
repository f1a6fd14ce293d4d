package dev.catsdogs.inference.cli;

import dev.catsdogs.inference.Prediction;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A table aligned for reading: {@code PATH LABEL PROBABILITY}. Column widths come from all inputs
 * and labels up front, so rows can be printed as results arrive.
 */
final class TableWriter implements ResultWriter {

    private final PrintWriter out;
    private final String rowFormat;

    TableWriter(PrintWriter out, List<Path> files, List<String> labels) {
        this.out = out;
        int pathWidth =
                Math.max(
                        "PATH".length(),
                        files.stream().mapToInt(f -> f.toString().length()).max().orElse(0));
        int labelWidth =
                Math.max(
                        "ERROR".length(), labels.stream().mapToInt(String::length).max().orElse(0));
        this.rowFormat = "%-" + pathWidth + "s  %-" + labelWidth + "s  %s%n";
        out.printf(Locale.ROOT, rowFormat, "PATH", "LABEL", "PROBABILITY");
    }

    @Override
    public void prediction(Path file, Prediction prediction) {
        out.printf(
                Locale.ROOT,
                rowFormat,
                file,
                prediction.label(),
                String.format(Locale.ROOT, "%.4f", prediction.probability()));
    }

    @Override
    public void error(Path file, String problem) {
        out.printf(Locale.ROOT, rowFormat, file, "ERROR", problem);
    }
}

package dev.catsdogs.inference.cli;

import dev.catsdogs.inference.Prediction;
import java.nio.file.Path;

/** Prints one line per input: a prediction or an error. */
interface ResultWriter {

    void prediction(Path file, Prediction prediction);

    void error(Path file, String problem);
}

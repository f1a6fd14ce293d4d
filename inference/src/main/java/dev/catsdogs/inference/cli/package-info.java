/**
 * The {@code classify} command line: classifies image files and directories with an exported model
 * and prints an aligned table or JSON lines. Uses picocli, gson and progressbar, which are optional
 * dependencies of this module: apps that only embed {@link dev.catsdogs.inference.ImageClassifier}
 * do not need them.
 */
package dev.catsdogs.inference.cli;

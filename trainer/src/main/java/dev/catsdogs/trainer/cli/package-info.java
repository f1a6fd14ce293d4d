/**
 * The {@code ./catsdogs} command line: {@link dev.catsdogs.trainer.cli.CatsDogs} and its
 * subcommands {@code summary}, {@code train}, {@code export} and (from the inference module) {@code
 * classify}. Commands parse and check options, resolve defaults relative to the installation, print
 * what the library returns, and map outcomes to exit codes; the work itself is in the other
 * packages.
 */
package dev.catsdogs.trainer.cli;

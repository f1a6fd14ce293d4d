/** {@code ./catsdogs score}: the command line of the Spark job. */
package dev.catsdogs.spark.cli;

/** {@code ./catsdogs bench-score}: Spark's throughput and memory next to the classify CLI's. */
package dev.catsdogs.spark.bench;

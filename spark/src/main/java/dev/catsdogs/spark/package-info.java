/** Scoring image archives on Apache Spark with the inference library. */
package dev.catsdogs.spark;

package dev.catsdogs.spark;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * Counts scored rows on their way to the writer: per label, and errors (rows without a label). The
 * counts are Spark accumulators of the write's own stage, which Spark merges once per partition
 * even when a task runs again, so the summary is what was written without reading the output back
 * (CSV could not be read back faithfully: a file name may hold a newline).
 */
final class RowCounter implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final int labelIndex;
    private final Map<String, LongAccumulator> perLabel;
    private final LongAccumulator errors;

    /**
     * @param classNames every label the model can give
     * @param labelIndex the label column of the rows to count
     */
    RowCounter(SparkContext spark, List<String> classNames, int labelIndex) {
        this.labelIndex = labelIndex;
        Map<String, LongAccumulator> counters = new LinkedHashMap<>();
        for (String label : classNames) {
            counters.put(label, spark.longAccumulator("score rows labelled " + label));
        }
        this.perLabel = counters;
        this.errors = spark.longAccumulator("score error rows");
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row row = rows.next();
                if (row.isNullAt(labelIndex)) {
                    errors.add(1);
                } else {
                    String label = row.getString(labelIndex);
                    LongAccumulator counter = perLabel.get(label);
                    if (counter == null) {
                        throw new IllegalStateException(
                                "label '" + label + "' is not one of " + perLabel.keySet());
                    }
                    counter.add(1);
                }
                return row;
            }
        };
    }

    /** The counts so far (on the driver, after the job), with the write's wall time. */
    ScoreJob.Summary summary(double seconds) {
        Map<String, Long> labels = new LinkedHashMap<>();
        long images = errors.value();
        for (Map.Entry<String, LongAccumulator> e : perLabel.entrySet()) {
            labels.put(e.getKey(), e.getValue().value());
            images += e.getValue().value();
        }
        return new ScoreJob.Summary(images, labels, errors.value(), seconds);
    }
}

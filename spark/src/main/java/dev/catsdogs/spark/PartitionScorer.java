package dev.catsdogs.spark;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.ImageInput;
import dev.catsdogs.inference.Outcome;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores one partition in minibatches: reads up to {@code batchSize} rows, classifies their images
 * with one {@link ImageClassifier#classifyAll} call, and emits each input row with the output
 * columns appended. Lazy: only one minibatch of images is held at a time. A row whose image is bad
 * (or whose image column is null) gets its {@code error}; only a failure of the model itself fails
 * the task.
 *
 * <p>A row's image is either encoded bytes in a binary column, or a local file named by a {@code
 * file:} URI in a string column, read here by the classifier with {@code classify}'s checks (only
 * regular files, a size limit, the same error messages). The URI keeps the exact bytes of a name
 * that is not UTF-8.
 *
 * <p>Serialized into every task: it holds the {@link ModelFile} descriptor, never a classifier.
 */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final ModelFile model;
    private final int batchSize;
    private final int imageIndex;
    private final boolean localFiles;
    private final int pathIndex;

    /**
     * @param imageIndex the column with the image: binary content, or with {@code localFiles} a
     *     string {@code file:} URI
     * @param pathIndex the column naming the image in errors, or -1
     */
    PartitionScorer(
            ModelFile model, int batchSize, int imageIndex, boolean localFiles, int pathIndex) {
        this.model = model;
        this.batchSize = batchSize;
        this.imageIndex = imageIndex;
        this.localFiles = localFiles;
        this.pathIndex = pathIndex;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        TaskContext task = TaskContext.get();
        int threads = task != null ? Math.max(1, task.cpus()) : 1;
        ImageClassifier classifier = ExecutorClassifiers.get(model, threads);
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) {
                    scoreNextBatch(classifier, rows, ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    private void scoreNextBatch(
            ImageClassifier classifier, Iterator<Row> rows, ArrayDeque<Row> out) {
        List<Row> batch = new ArrayList<>(batchSize);
        List<ImageInput> inputs = new ArrayList<>(batchSize);
        List<Integer> inputRow = new ArrayList<>(batchSize); // batch index of each input
        while (batch.size() < batchSize && rows.hasNext()) {
            Row row = rows.next();
            if (!row.isNullAt(imageIndex)) {
                inputs.add(
                        localFiles
                                ? ImageInput.of(Path.of(URI.create(row.getString(imageIndex))))
                                : ImageInput.of((byte[]) row.getAs(imageIndex), name(row)));
                inputRow.add(batch.size());
            }
            batch.add(row);
        }
        Object[][] appended = new Object[batch.size()][];
        List<Outcome> outcomes = classifier.classifyAll(inputs);
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            appended[inputRow.get(i)] =
                    o.isSuccess()
                            ? OutputColumns.predictionValues(
                                    o.prediction().orElseThrow(), model.sigmoid(), model.sha256())
                            : OutputColumns.errorValues(
                                    o.error().orElseThrow().problem(),
                                    model.sigmoid(),
                                    model.sha256());
        }
        for (int i = 0; i < batch.size(); i++) {
            Object[] values =
                    appended[i] != null
                            ? appended[i]
                            : OutputColumns.errorValues(
                                    "no content", model.sigmoid(), model.sha256());
            out.add(append(batch.get(i), values));
        }
    }

    private String name(Row row) {
        return pathIndex >= 0 && !row.isNullAt(pathIndex) ? row.getString(pathIndex) : "<row>";
    }

    private static Row append(Row row, Object[] values) {
        Object[] all = new Object[row.length() + values.length];
        for (int i = 0; i < row.length(); i++) {
            all[i] = row.get(i);
        }
        System.arraycopy(values, 0, all, row.length(), values.length);
        return RowFactory.create(all);
    }
}

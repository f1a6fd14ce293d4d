package dev.catsdogs.spark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.spark.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's mistake in bench-score is one line and exit 2, before anything runs. */
class BenchScoreCommandTest {

    @TempDir Path dir;

    private static void refused(TestData.Run run, String message) {
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(message), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    @Test
    void aMissingModelOrPhotoDirectoryOrTooFewPhotosIsOneLine() {
        Path photos = TestData.photos("validation");
        refused(
                TestData.run(
                        new BenchScoreCommand(),
                        "--data",
                        photos.toString(),
                        "--model",
                        dir.resolve("missing.onnx").toString()),
                "bench-score: cannot use model");
        refused(
                TestData.run(
                        new BenchScoreCommand(),
                        "--data",
                        dir.resolve("nowhere").toString(),
                        "--model",
                        TestData.model().toString()),
                "bench-score: no photo directory");
        refused(
                TestData.run(
                        new BenchScoreCommand(),
                        "--data",
                        dir.toString(),
                        "--model",
                        TestData.model().toString()),
                "bench-score: needs at least 96 photos, found 0");
    }
}

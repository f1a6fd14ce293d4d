package dev.catsdogs.spark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.spark.ModelFile;
import dev.catsdogs.spark.ScoreJob;
import dev.catsdogs.spark.SparkSessions;
import dev.catsdogs.spark.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench-score's split of a scoring job into start-up and scoring, from Spark's event times. */
class ScoringTimelineTest {

    @TempDir Path dir;

    @Test
    void eachJobIsSplitAtItsOwnFirstTask() throws Exception {
        Path photos = TestData.photos("validation").resolve("cats");
        ModelFile model = ModelFile.inspect(TestData.model().toString(), null);
        SparkSession spark =
                SparkSessions.builder(
                                "timeline-test",
                                "local[2]",
                                Map.of("spark.ui.showConsoleProgress", "false"))
                        .getOrCreate();
        try {
            FirstJobTimeline timeline = new FirstJobTimeline();
            spark.sparkContext().addSparkListener(timeline);
            ScoreJob.Settings settings =
                    new ScoreJob.Settings(
                            List.of(photos.toString()),
                            dir.resolve("out").toString(),
                            ScoreJob.Format.PARQUET,
                            32,
                            true);
            long before = System.currentTimeMillis();
            BenchScoreCommand.Scoring first =
                    BenchScoreCommand.Scoring.measure(spark, model, settings, timeline);
            long after = System.currentTimeMillis();
            assertEquals(500, first.summary().images());
            assertTrue(first.untilFirstTaskSeconds() >= 0, first.toString());
            assertTrue(first.scoringSeconds() > 0, first.toString());
            // both parts lie within the call, and scoring is part of the whole write
            assertTrue(
                    first.untilFirstTaskSeconds() + first.scoringSeconds()
                            <= (after - before) / 1e3,
                    first.toString());
            assertTrue(
                    first.scoringSeconds() <= first.summary().seconds() + 0.05, first.toString());

            // armed again, the second job is measured from its own first task, not the first's
            long secondStart = System.currentTimeMillis();
            BenchScoreCommand.Scoring second =
                    BenchScoreCommand.Scoring.measure(spark, model, settings, timeline);
            assertTrue(timeline.firstTaskLaunchMillis() >= secondStart, second.toString());
            assertEquals(500, second.summary().images());
        } finally {
            spark.stop();
        }
    }
}

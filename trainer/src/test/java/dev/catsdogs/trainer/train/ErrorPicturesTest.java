package dev.catsdogs.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.TrainingInterruptedException;
import dev.catsdogs.trainer.data.Dataset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run directory's evaluation of an exported model, without training: the shipped model on a few
 * real photos in a layout without a test split.
 */
class ErrorPicturesTest {

    @TempDir Path dir;

    // train 1 + 1 photos (unused here), validation 4 cats + 4 dogs.
    private Dataset twoClassesWithoutTest() throws Exception {
        Path data = dir.resolve("data");
        for (String[] c : new String[][] {{"cats", "cat"}, {"dogs", "dog"}}) {
            for (String[] split :
                    new String[][] {{"train", "0", "1"}, {"validation", "2000", "4"}}) {
                Path target = Files.createDirectories(data.resolve(split[0]).resolve(c[0]));
                int first = Integer.parseInt(split[1]);
                for (int i = first; i < first + Integer.parseInt(split[2]); i++) {
                    String name = c[1] + "." + i + ".jpg";
                    Files.copy(
                            TestPaths.catsAndDogs().resolve(split[0]).resolve(c[0]).resolve(name),
                            target.resolve(name));
                }
            }
        }
        return Dataset.load(data, 42);
    }

    private static Path shippedModel() {
        return TestPaths.root().resolve("models/catsdogs-mobilenetv2.onnx");
    }

    @Test
    void twoClassesWithoutATestSplitGetConfusionPngAndTheValidationBlock() throws Exception {
        Dataset dataset = twoClassesWithoutTest();
        RunDirectory run = RunDirectory.create(dir.resolve("run"));
        ErrorPictures.Summary summary =
                ErrorPictures.write(run, shippedModel(), dataset, () -> false);
        assertEquals("validation", summary.split());
        assertEquals(8, summary.images());
        BufferedImage confusion = ImageIO.read(run.file(RunDirectory.CONFUSION).toFile());
        assertTrue(confusion.getWidth() > 200, "confusion.png for two classes too");
        assertTrue(Files.size(run.file(RunDirectory.ERRORS)) > 0);
        JsonObject evaluation =
                JsonParser.parseString(Files.readString(run.file(RunDirectory.REPORT)))
                        .getAsJsonObject()
                        .getAsJsonObject("evaluation");
        assertFalse(evaluation.has("test"), "no test split");
        JsonObject validation = evaluation.getAsJsonObject("validation");
        assertEquals(8, validation.get("images").getAsInt());
        assertEquals(
                List.of("cats", "dogs"),
                validation.getAsJsonArray("labels").asList().stream()
                        .map(e -> e.getAsString())
                        .toList());
        assertEquals(
                4,
                validation
                        .getAsJsonObject("per_class")
                        .getAsJsonObject("dogs")
                        .get("support")
                        .getAsInt());
        assertEquals(8 - summary.wrong(), Math.round(8 * validation.get("accuracy").getAsDouble()));
    }

    @Test
    void aStopRequestWritesNothing() throws Exception {
        Dataset dataset = twoClassesWithoutTest();
        RunDirectory run = RunDirectory.create(dir.resolve("stopped"));
        assertThrows(
                TrainingInterruptedException.class,
                () -> ErrorPictures.write(run, shippedModel(), dataset, () -> true));
        try (var files = Files.list(run.path())) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void anEarlierReportKeepsItsContent() throws Exception {
        Dataset dataset = twoClassesWithoutTest();
        RunDirectory run = RunDirectory.create(dir.resolve("earlier"));
        RunReport earlier = run.newReport();
        earlier.finish("completed", null);
        earlier.write();
        ErrorPictures.write(run, shippedModel(), dataset, () -> false);
        JsonObject report =
                JsonParser.parseString(Files.readString(run.file(RunDirectory.REPORT)))
                        .getAsJsonObject();
        assertEquals("completed", report.get("status").getAsString());
        assertTrue(report.has("evaluation"));
    }
}

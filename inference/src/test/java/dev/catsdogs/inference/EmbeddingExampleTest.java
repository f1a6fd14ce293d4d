package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README's "Embedding the classifier" snippet compiling and running: the lines between
 * README-BEGIN and README-END are pasted into the README verbatim.
 */
class EmbeddingExampleTest {

    @TempDir Path dir;

    static void classifyAndPrint(Path modelFile, Path image) {
        // README-BEGIN
        // modelFile: e.g. Path.of("models/catsdogs-mobilenetv2.onnx"); image: a JPEG, PNG or BMP
        try (ImageClassifier classifier =
                ImageClassifier.builder(modelFile)
                        .optIntraOpThreads(2) // ONNX Runtime threads per run; omit to use all cores
                        .build()) {
            Prediction p = classifier.classify(image);
            System.out.printf("%s: %s (p=%.3f)%n", image, p.label(), p.probability());
        } catch (ModelLoadException | InvalidImageException e) {
            System.err.println(e.getMessage()); // names the file and what is wrong with it
        }
        // README-END
    }

    @Test
    void readmeExampleClassifiesAFile() throws Exception {
        Path model = TestModels.writeSigmoid(dir.resolve("catsdogs-mobilenetv2.onnx"));
        Path image = TestImages.photo("cat.2000.jpg");
        String out = captureStdout(() -> classifyAndPrint(model, image));

        Prediction expected;
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            expected = classifier.classify(image);
        }
        assertEquals(
                String.format("%s: %s (p=%.3f)%n", image, expected.label(), expected.probability()),
                out);
        assertTrue(out.contains("cat.2000.jpg: "), out);
    }

    private static String captureStdout(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readmeShowsExactlyThisExample() throws Exception {
        Path root = Path.of(System.getProperty("catsdogs.root", "..")).toAbsolutePath();
        List<String> source =
                Files.readAllLines(
                        root.resolve(
                                "inference/src/test/java/dev/catsdogs/inference/EmbeddingExampleTest.java"));
        int begin = source.indexOf("        // README-BEGIN");
        int end = source.indexOf("        // README-END");
        String example =
                String.join(
                        "\n",
                        source.subList(begin + 1, end).stream()
                                .map(l -> l.length() >= 8 ? l.substring(8) : l)
                                .toList());
        String readme = Files.readString(root.resolve("README.md"));
        assertTrue(
                readme.contains("```java\n" + example + "\n```"),
                "README's 'Embedding the classifier' example must be the lines between README-BEGIN"
                        + " and README-END");
    }
}

package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    // modelFile: e.g. Path.of("models/catsdogs-mobilenetv2.onnx"); image: a JPEG, PNG or BMP file
    try (ImageClassifier classifier = ImageClassifier.builder(modelFile)
        .optIntraOpThreads(2) // ONNX Runtime threads per run; omit to use all cores
        .build()) {
      Prediction prediction = classifier.classify(image);
      System.out.printf("%s: %s (p=%.3f)%n", image, prediction.label(), prediction.probability());
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
    assertEquals(String.format("%s: %s (p=%.3f)%n", image, expected.label(),
        expected.probability()), out);
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
}

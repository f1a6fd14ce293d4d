package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model that ships in {@code models/} classifies real photos through this library alone: the
 * test-resource photos, and a cat photo from outside the cats-vs-dogs data (Open Images).
 */
class ShippedModelTest {

    private static Path root;

    @BeforeAll
    static void findRepository() {
        root = Path.of(System.getProperty("catsdogs.root", "..")).toAbsolutePath().normalize();
    }

    private Path model() {
        Path model = root.resolve("models/catsdogs-mobilenetv2.onnx");
        assertTrue(Files.isRegularFile(model), "the shipped model is missing: " + model);
        return model;
    }

    @Test
    void classifiesRealPhotos() throws Exception {
        try (ImageClassifier classifier = ImageClassifier.builder(model()).build()) {
            assertEquals(List.of("cats", "dogs"), classifier.metadata().classNames());
            assertEquals(160, classifier.metadata().inputHeight());
            for (int i = 2000; i < 2005; i++) {
                for (String kind : new String[] {"cat", "dog"}) {
                    Path photo =
                            Path.of(
                                    getClass()
                                            .getResource("/images/" + kind + "." + i + ".jpg")
                                            .toURI());
                    Prediction p = classifier.classify(photo);
                    assertEquals(kind + "s", p.label(), photo.getFileName() + " -> " + p);
                    assertTrue(p.probability() > 0.8f, photo.getFileName() + " -> " + p);
                }
            }
            Prediction egyptianCat =
                    classifier.classify(root.resolve("models/check-images/cat.bmp"));
            assertEquals("cats", egyptianCat.label(), egyptianCat.toString());
        }
    }

    @Test
    void carriesProvenance() throws Exception {
        try (ImageClassifier classifier = ImageClassifier.builder(model()).build()) {
            var provenance = classifier.metadata().provenance();
            assertTrue(
                    Double.parseDouble(provenance.get("fine_tuning.val_accuracy")) >= 0.97,
                    provenance.toString());
            assertEquals(64, provenance.get("data.files_sha256").length());
        }
    }
}

package dev.catsdogs.trainer.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.model.ClassifierHead;
import dev.catsdogs.trainer.model.KerasPadding;
import dev.catsdogs.trainer.model.MobileNetV2;
import dev.catsdogs.trainer.model.TransferNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad weight files give a WeightImportException naming the file and the problem, never a crash. */
class WeightImportErrorsTest {

    @TempDir Path dir;

    private static String failure(Path file) {
        WeightImportException e =
                assertThrows(
                        WeightImportException.class,
                        () -> {
                            MobileNetV2Weights weights = MobileNetV2Weights.read(file);
                            try (NDManager manager = NDManager.newBaseManager()) {
                                MobileNetV2 base = new MobileNetV2(160, KerasPadding.Style.KERAS);
                                base.initialize(
                                        manager, DataType.FLOAT32, new Shape(1, 3, 160, 160));
                                weights.applyTo(base);
                            }
                        });
        assertTrue(
                e.getMessage().contains(file.toString()),
                "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void missingFile() {
        assertTrue(failure(dir.resolve("nope.onnx")).contains("not found"));
    }

    @Test
    void emptyFile() throws Exception {
        Path file = Files.createFile(dir.resolve("empty.onnx"));
        assertTrue(failure(file).contains("empty"));
    }

    @Test
    void truncatedFile() throws Exception {
        byte[] original = Files.readAllBytes(TestPaths.imagenetOnnx());
        Path file =
                Files.write(
                        dir.resolve("truncated.onnx"),
                        Arrays.copyOf(original, original.length / 2));
        String message = failure(file);
        assertTrue(
                message.contains("truncated or corrupt") || message.contains("no graph"), message);
    }

    @Test
    void randomBytes() throws Exception {
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Path file = Files.write(dir.resolve("junk.onnx"), junk);
        failure(file);
    }

    @Test
    void notAMobileNetV2NamesTheFirstLayerThatDoesNotFit() throws Exception {
        // A valid ONNX file of a different network: MobileNetV2 at another width would differ in
        // channels; here a 3-class head exported at 64x64 has the right convs, so change the
        // architecture instead: symmetric padding into a Keras-padded model is refused too.
        Path file = dir.resolve("other.onnx");
        try (NDManager manager = NDManager.newBaseManager()) {
            TransferNetwork other =
                    new TransferNetwork(
                            new MobileNetV2(64, KerasPadding.Style.SYMMETRIC),
                            new ClassifierHead(2));
            other.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Files.write(file, OnnxExporter.builder().build().export(other));
        }
        assertTrue(failure(file).contains("padding"));
    }
}

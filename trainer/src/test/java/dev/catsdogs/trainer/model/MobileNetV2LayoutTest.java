package dev.catsdogs.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.catsdogs.trainer.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the DJL model against Keras' own layer list at 160x160 (../shared/reference). */
class MobileNetV2LayoutTest {

    private static NDManager manager;
    private static TransferNetwork network;

    @BeforeAll
    static void build() {
        manager = NDManager.newBaseManager();
        network = TransferNetwork.create(160, 2);
        network.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 160, 160));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void layerListMatchesKerasReference() throws IOException {
        List<String> rows =
                Files.readAllLines(
                                TestPaths.shared()
                                        .resolve("reference/keras-mobilenetv2-layers-160.tsv"))
                        .stream()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .toList();
        List<Layer> layers = network.base().layers();
        assertEquals(155, rows.size());
        assertEquals(rows.size(), layers.size());
        for (String row : rows) {
            String[] f = row.split("\t");
            Layer layer = layers.get(Integer.parseInt(f[0]));
            assertEquals(f[1], layer.name(), "name at " + f[0]);
            assertEquals(f[2], layer.kind().kerasName(), "type of " + f[1]);
            assertEquals(
                    f[3],
                    "(" + layer.height() + ", " + layer.width() + ", " + layer.channels() + ")",
                    "output shape of " + f[1]);
            assertEquals(Long.parseLong(f[4]), layer.parameterCount(), "params of " + f[1]);
        }
        assertEquals("block_11_expand_BN", layers.get(100).name());
    }

    @Test
    void featureExtractionTrainsOnlyTheHead() {
        network.freezeBase();
        String summary = ModelSummary.render(network);
        assertTrue(summary.contains("Base (MobileNetV2) params: 2,257,984"), summary);
        assertTrue(summary.contains("Total params: 2,259,265"), summary);
        assertTrue(summary.contains("Trainable params: 1,281\n"), summary);
        assertTrue(summary.contains("Trainable variables: 2\n"), summary);
    }

    @Test
    void fineTuningFromLayer100MatchesKeras() {
        network.setTrainableFrom(100);
        String summary = ModelSummary.render(network);
        assertTrue(summary.contains("Trainable params: 1,863,873\n"), summary);
        assertTrue(summary.contains("Trainable variables: 58\n"), summary);
        assertEquals(58, network.trainableParameters().size());
    }

    @Test
    void outputIsFiveByFiveBy1280() {
        assertEquals(
                new Shape(4, 1280, 5, 5),
                network.base().getOutputShapes(new Shape[] {new Shape(4, 3, 160, 160)})[0]);
    }
}

package dev.catsdogs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the int8 model comes from: the option, else beside the float model, else none. */
class WorkspaceTest {

    @TempDir Path dir;

    @Test
    void theInt8ModelIsLookedForBesideTheFloatModel() {
        assertEquals(
                dir.resolve("catsdogs-mobilenetv2-int8.onnx"),
                Workspace.int8Beside(dir.resolve("catsdogs-mobilenetv2.onnx")));
        assertEquals(dir.resolve("model-int8.onnx"), Workspace.int8Beside(dir.resolve("model")));
        assertEquals(
                Workspace.root().resolve("models/catsdogs-mobilenetv2-int8.onnx"),
                Workspace.int8Beside(Workspace.defaults().model()));
    }

    @Test
    void withoutTheOptionAMissingInt8FileMeansNoInt8Rows() throws Exception {
        Path fp32 = Files.writeString(dir.resolve("m.onnx"), "float");
        assertNull(Workspace.int8Model(null, fp32));
        Path int8 = Files.writeString(dir.resolve("m-int8.onnx"), "int8");
        assertEquals(int8, Workspace.int8Model(null, fp32));
    }

    @Test
    void aMissingInt8FileGivenByOptionIsAnErrorNamingItAndHowToMakeIt() throws Exception {
        Path fp32 = Files.writeString(dir.resolve("m.onnx"), "float");
        Files.createDirectories(dir.resolve("validation"));
        Path missing = dir.resolve("other-int8.onnx");
        Workspace ws = new Workspace(fp32, Workspace.int8Model(missing, fp32), dir, null, dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ws::validate);
        assertTrue(
                e.getMessage().contains(missing.toString())
                        && e.getMessage().contains("--int8-model")
                        && e.getMessage().contains("export --run DIR --int8 --out"),
                e.getMessage());
    }

    @Test
    void forksReadTheInt8ModelBack() {
        Path fp32 = dir.resolve("m.onnx");
        Path int8 = dir.resolve("q.onnx");
        Workspace ws = new Workspace(fp32, int8, dir, null, dir);
        String[] keys = {
            Workspace.MODEL, Workspace.INT8_MODEL, Workspace.DATA, Workspace.RUN, Workspace.RESULTS
        };
        java.util.Map<String, String> before = new java.util.HashMap<>();
        for (String k : keys) {
            before.put(k, System.getProperty(k));
        }
        try {
            ws.applyToThisJvm();
            assertEquals(ws, Workspace.fromSystemProperties());
            assertTrue(ws.jvmArgs().contains("-D" + Workspace.INT8_MODEL + "=" + int8));
            Workspace none = new Workspace(fp32, null, dir, null, dir);
            none.applyToThisJvm();
            assertNull(Workspace.fromSystemProperties().int8Model());
            assertTrue(none.jvmArgs().stream().noneMatch(a -> a.contains(Workspace.INT8_MODEL)));
        } finally {
            // leave this JVM's properties as found, for the other tests
            before.forEach(
                    (k, v) -> {
                        if (v == null) {
                            System.clearProperty(k);
                        } else {
                            System.setProperty(k, v);
                        }
                    });
        }
    }
}

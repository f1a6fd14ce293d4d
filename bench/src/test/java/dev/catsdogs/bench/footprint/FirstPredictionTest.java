package dev.catsdogs.bench.footprint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.bench.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application bench-footprint times compiles against the library and reports its first
 * prediction; its JVMs, normal or killed with SIGKILL, leave nothing in their temporary directory.
 * (On this module's class path; bench-footprint runs it on the installed artifacts.)
 */
class FirstPredictionTest {

    @TempDir Path dir;

    @Test
    void reportsTheFirstPredictionAndLeavesNothingInTmpAlsoWhenKilled() throws Exception {
        Path source = dir.resolve("src/app/Main.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, FirstPrediction.MAIN);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classPath = System.getProperty("java.class.path");
        assertEquals(
                0,
                javac.run(
                        null,
                        null,
                        null,
                        "-cp",
                        classPath,
                        "-d",
                        classes.toString(),
                        source.toString()),
                "the application compiles");

        List<Path> entries = new ArrayList<>(List.of(classes));
        for (String entry : classPath.split(":")) {
            entries.add(Path.of(entry));
        }
        Path root = Workspace.root();
        FirstPrediction app =
                new FirstPrediction(
                        entries,
                        root.resolve("models/catsdogs-mobilenetv2.onnx"),
                        root.resolve("inference/src/test/resources/images/cat.2000.jpg"),
                        dir.resolve("tmp"));
        FirstPrediction.Start start = app.start();
        assertEquals("cats", start.label());
        assertTrue(
                start.firstPredictionMs() > 0 && start.firstPredictionMs() < start.processMs(),
                start.toString());
        app.startAndKill();
        assertEquals(List.of(), app.leftInTmp());
    }
}

package dev.catsdogs.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The trainer's packages depend one way: the lower ones (model, data, feeds, optimizers, ONNX
 * import and export, quantization) never on the training loop, its settings or the command line.
 * Read from the compiled classes by the JDK's jdeps.
 */
class PackageDependenciesTest {

    private static final Set<String> LOWER =
            Set.of(
                    "model",
                    "data",
                    "feed",
                    "optimizer",
                    "onnx",
                    "quantize",
                    "device",
                    "io",
                    "libtorch");

    private static final Set<String> UPPER = Set.of("train", "workflow", "cli");

    @Test
    void lowerPackagesDoNotDependOnTrainingOrTheCommandLine() throws Exception {
        Path classes =
                Path.of(
                        TrainingInterruptedException.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int exit =
                jdeps.run(
                        new PrintWriter(out),
                        new PrintWriter(out),
                        "-verbose:package",
                        "-filter:none",
                        "-e",
                        "dev\\.catsdogs\\.trainer\\..*",
                        classes.toString());
        assertEquals(0, exit, out.toString());
        List<String> edges;
        try (Stream<String> lines = out.toString().lines()) {
            edges =
                    lines.map(String::strip)
                            .filter(l -> l.startsWith("dev.catsdogs.trainer."))
                            .toList();
        }
        assertTrue(edges.size() > 20, "jdeps found too few edges:\n" + out);
        List<String> upward =
                edges.stream()
                        .filter(
                                l -> {
                                    String[] parts = l.split("\\s+->\\s+|\\s+");
                                    return LOWER.contains(lastName(parts[0]))
                                            && UPPER.contains(lastName(parts[1]));
                                })
                        .toList();
        assertEquals(List.of(), upward);
    }

    private static String lastName(String pkg) {
        return pkg.substring(pkg.lastIndexOf('.') + 1);
    }
}

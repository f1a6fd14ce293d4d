package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Embedding the classifier" works as written: its install command installs the
 * library (with sources and javadoc jars, a module name and the POM metadata a public repository
 * asks for) into a fresh local repository, an application with its {@code <dependency>} block and
 * its Java snippet compiles against that installed artifact, not the reactor, and classifies a
 * photo as the library does here.
 */
class EmbeddingExampleTest {

    static final String INSTALL = "mvn -B install -pl inference -am";

    @TempDir Path dir;

    @Test
    void anApplicationBuiltAsTheReadmeSaysClassifiesAPhoto() throws Exception {
        String embedding = embeddingSection();
        assertTrue(embedding.contains("\n    " + INSTALL + "\n"), "the install command");
        String dependency = block(embedding, "xml");
        assertTrue(
                dependency.contains("<version>" + BuildInfo.version() + "</version>"), dependency);
        assertTrue(embedding.contains("Java package `dev.catsdogs.inference`"), embedding);

        MavenSandbox maven = new MavenSandbox(dir);
        Path project = maven.copyProject(List.of("inference"));
        List<String> install =
                new ArrayList<>(List.of(INSTALL.substring("mvn -B ".length()).split(" ")));
        install.addAll(List.of("-DskipTests", "-Dspotless.check.skip=true"));
        maven.mvn(project, install);
        checkInstalled(maven.repository().resolve("dev/catsdogs"));

        String main =
                """
                package app;

                import dev.catsdogs.inference.*;
                import java.nio.file.Path;

                public class Main {
                    public static void main(String[] args) {
                        Path modelFile = Path.of(args[0]);
                        Path image = Path.of(args[1]);
                %s
                    }
                }
                """
                        .formatted(block(embedding, "java"));
        List<Path> classPath = maven.buildApplication("app", dependency, main);
        assertTrue(
                classPath.stream().noneMatch(p -> p.toString().contains("/ai/djl/")),
                "no DJL: " + classPath);

        Path model = TestModels.writeSigmoid(dir.resolve("catsdogs-mobilenetv2.onnx"));
        Path image = TestImages.photo("cat.2000.jpg");
        Process app =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Djava.io.tmpdir=" + maven.tmp(),
                                "-cp",
                                classPath.stream()
                                        .map(Path::toString)
                                        .collect(Collectors.joining(":")),
                                "app.Main",
                                model.toString(),
                                image.toString())
                        .start();
        String out = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(app.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, app.waitFor(), err);

        Prediction expected;
        try (ImageClassifier classifier = ImageClassifier.builder(model).build()) {
            expected = classifier.classify(image);
        }
        Matcher line =
                Pattern.compile(Pattern.quote(image + ": " + expected.label()) + " \\(p=(.*)\\)\n")
                        .matcher(out);
        assertTrue(line.matches(), out + err);
        assertEquals(expected.probability(), Double.parseDouble(line.group(1)), 0.0005);
        assertEquals("", err, "the library prints nothing");
    }

    /** The library jar with sources and javadoc, a module name; POMs with publishing metadata. */
    private static void checkInstalled(Path group) throws Exception {
        String version = BuildInfo.version();
        Path library = group.resolve("inference").resolve(version);
        for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar", ".pom")) {
            Path file = library.resolve("inference-" + version + suffix);
            assertTrue(Files.isRegularFile(file), file + " installed");
        }
        try (JarFile jar = new JarFile(library.resolve("inference-" + version + ".jar").toFile())) {
            assertEquals(
                    "dev.catsdogs.inference",
                    jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
        }
        String pom = Files.readString(library.resolve("inference-" + version + ".pom"));
        String parent =
                Files.readString(
                        group.resolve("catsdogs-parent")
                                .resolve(version)
                                .resolve("catsdogs-parent-" + version + ".pom"));
        for (String element : List.of("<name>", "<description>")) {
            assertTrue(pom.contains(element), "inference's POM has " + element);
        }
        for (String element : List.of("<url>", "<licenses>", "<developers>", "<scm>")) {
            assertTrue(parent.contains(element), "the parent POM has " + element);
        }
    }

    private static String embeddingSection() throws Exception {
        Path root = Path.of(System.getProperty("catsdogs.root", "..")).toAbsolutePath();
        String readme = Files.readString(root.resolve("README.md"));
        int start = readme.indexOf("## Embedding the classifier");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end);
    }

    /** The first fenced block of {@code language} in {@code text}. */
    private static String block(String text, String language) {
        int start = text.indexOf("```" + language + "\n");
        assertTrue(start >= 0, "a ```" + language + " block");
        start += language.length() + 4;
        return text.substring(start, text.indexOf("\n```", start));
    }
}

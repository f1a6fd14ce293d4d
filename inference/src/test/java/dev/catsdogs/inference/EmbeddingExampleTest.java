package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Embedding the classifier" works as written, for both artifacts: its install command
 * installs the library into a fresh local repository (with sources and javadoc jars, a module name
 * and the POM metadata a public repository asks for), and an application made of its {@code
 * <dependency>} block and its Java snippet compiles against that installed artifact, not the
 * reactor, and classifies a photo as the library does here, printing nothing else.
 */
class EmbeddingExampleTest {

    static final String INSTALL = "mvn -B install -pl inference -am";
    static final String PLATFORM_ARTIFACT = "inference-linux-x86_64";
    static final String PLATFORM_INSTALL = "mvn -B install -pl " + PLATFORM_ARTIFACT + " -am";
    static final long PLATFORM_BUDGET_BYTES = 40L << 20;

    @TempDir Path dir;

    @Test
    void anApplicationBuiltAsTheReadmeSaysClassifiesAPhoto() throws Exception {
        String embedding = embeddingSection();
        assertTrue(embedding.contains("\n    " + INSTALL + "\n"), "the install command");
        assertTrue(embedding.contains("Java package `dev.catsdogs.inference`"), embedding);
        String dependency = block(embedding, "xml");
        assertTrue(
                dependency.contains("<version>" + BuildInfo.version() + "</version>"), dependency);

        MavenSandbox maven = new MavenSandbox(dir);
        install(maven, INSTALL);
        checkInstalled(maven.repository().resolve("dev/catsdogs"));
        List<Path> classPath = maven.buildApplication("app", dependency, main(embedding));
        assertTrue(
                classPath.stream().noneMatch(p -> p.toString().contains("/ai/djl/")),
                "no DJL: " + classPath);
        String err = classifiesAsHere(maven, classPath, List.of());
        assertEquals("", err, "the library prints nothing");
    }

    @Test
    void theLinuxX8664ArtifactIsOneJarUnder40MbWithFastJpegDecoding() throws Exception {
        String embedding = embeddingSection();
        assertTrue(embedding.contains("`" + PLATFORM_INSTALL + "`"), "the install command");
        String dependency =
                block(embedding, "xml")
                        .replace(
                                "<artifactId>inference</artifactId>",
                                "<artifactId>" + PLATFORM_ARTIFACT + "</artifactId>");
        assertTrue(embedding.contains("`dev.catsdogs:" + PLATFORM_ARTIFACT + "`"), embedding);

        MavenSandbox maven = new MavenSandbox(dir);
        install(maven, PLATFORM_INSTALL);
        List<Path> classPath = maven.buildApplication("app", dependency, main(embedding));
        List<Path> dependencies = classPath.subList(1, classPath.size()); // after app's classes
        assertEquals(1, dependencies.size(), "one jar, nothing else: " + dependencies);
        Path jar = dependencies.get(0);
        assertTrue(
                Files.size(jar) <= PLATFORM_BUDGET_BYTES,
                jar + " has " + Files.size(jar) + " bytes, over 40 MiB");
        assertEquals(
                List.of(
                        "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
                        "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so",
                        "com/sun/jna/linux-x86-64/libjnidispatch.so",
                        "nu/pattern/opencv/linux/x86_64/libopencv_java490.so"),
                nativeLibraries(jar),
                "Linux x86-64's natives only, JNA's included");

        // The library says which JPEG decoder it took at TRACE (java.util.logging's FINER).
        Path logging =
                Files.writeString(
                        dir.resolve("logging.properties"),
                        "handlers=java.util.logging.ConsoleHandler\n"
                                + "java.util.logging.ConsoleHandler.level=FINER\n"
                                + "java.util.logging.SimpleFormatter.format=%5$s%n\n"
                                + "dev.catsdogs.inference.TurboJpegDecoder.level=FINER\n");
        String err =
                classifiesAsHere(
                        maven, classPath, List.of("-Djava.util.logging.config.file=" + logging));
        if (TurboJpegDecoder.library() != null) { // this machine has libturbojpeg (CI does)
            assertTrue(err.contains("JPEG is decoded by /"), err);
        }
    }

    private static void install(MavenSandbox maven, String readmeCommand) throws Exception {
        Path project = maven.copyProject(List.of("inference"));
        List<String> arguments =
                new ArrayList<>(List.of(readmeCommand.substring("mvn -B ".length()).split(" ")));
        arguments.addAll(List.of("-DskipTests", "-Dspotless.check.skip=true"));
        maven.mvn(project, arguments);
    }

    /** An application's Main: the README's snippet, given the model and the image to classify. */
    private static String main(String embedding) {
        return """
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
    }

    /**
     * Runs the application on a photo; it must print the label and probability this JVM's
     * classifier gives.
     *
     * @return its stderr
     */
    private String classifiesAsHere(MavenSandbox maven, List<Path> classPath, List<String> options)
            throws Exception {
        Path model = TestModels.writeSigmoid(dir.resolve("catsdogs-mobilenetv2.onnx"));
        Path image = TestImages.photo("cat.2000.jpg");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Djava.io.tmpdir=" + maven.tmp()));
        command.addAll(options);
        command.addAll(
                List.of(
                        "-cp",
                        classPath.stream().map(Path::toString).collect(Collectors.joining(":")),
                        "app.Main",
                        model.toString(),
                        image.toString()));
        Process app = new ProcessBuilder(command).start();
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
        return err;
    }

    /** The library jar with sources and javadoc, a module name; POMs with publishing metadata. */
    private static void checkInstalled(Path group) throws IOException {
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

    private static List<String> nativeLibraries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream()
                    .map(JarEntry::getName)
                    .filter(n -> n.matches(".*\\.(so|dylib|jnilib|dll)"))
                    .sorted()
                    .toList();
        }
    }

    private static String embeddingSection() throws IOException {
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

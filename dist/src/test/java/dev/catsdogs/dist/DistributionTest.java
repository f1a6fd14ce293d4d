package dev.catsdogs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tarball install works as written: its build command, run on a copy of this checkout,
 * makes {@code catsdogs-VERSION-linux-x86_64.tar.gz}; unpacked into an empty directory and run with
 * a PATH that has neither {@code java} nor {@code mvn}, its {@code bin/catsdogs} prints the version
 * and the commands, classifies the check photos with the shipped model, and trains an epoch on a
 * few real photos. The jars carry Linux x86-64's natives only (the CPU libtorch among them), one
 * copy each, and every command's class path is complete.
 */
class DistributionTest {

    /** What the README says builds the tarball. */
    static final String BUILD = "mvn -B package -Pdist -DskipTests";

    static final long TARBALL_BUDGET_BYTES = 512L << 20;

    /** A native library entry in a jar. */
    static final Pattern NATIVE = Pattern.compile(".*\\.(so|dll|dylib|jnilib|a)");

    /** Linux x86-64's, as the libraries name it (ONNX Runtime linux-x64, JNA linux-x86-64, ...). */
    static final Pattern LINUX_X86_64 =
            Pattern.compile(
                    "(?i).*(linux[-_/]?(x86[-_]64|amd64|x64)[-_/.]|linux64).*",
                    Pattern.CASE_INSENSITIVE);

    @TempDir static Path dir;

    private static Path tarball;
    private static Path installed;
    private static Tools tools;

    @BeforeAll
    static void buildAndUnpack() throws Exception {
        Path root = Path.of(System.getProperty("catsdogs.root", "..")).toAbsolutePath();
        assertTrue(
                Files.readString(root.resolve("README.md")).contains("\n    " + BUILD + "\n"),
                "the README's build command");
        Path checkout = Checkout.copy(root, dir.resolve("checkout"));
        tools = new Tools(dir);
        List<String> arguments =
                new ArrayList<>(List.of(BUILD.substring("mvn ".length()).split(" ")));
        // Quiet, and only what the tarball needs: no format check, javadoc, sources or
        // inference-linux-x86_64 (the same tarball, sooner).
        arguments.addAll(
                List.of(
                        "-q",
                        "-pl",
                        "dist",
                        "-am",
                        "-Dspotless.check.skip=true",
                        "-Dmaven.javadoc.skip=true",
                        "-Dmaven.source.skip=true"));
        tools.maven(checkout, arguments);

        String version = System.getProperty("catsdogs.version");
        tarball = checkout.resolve("dist/target/catsdogs-" + version + "-linux-x86_64.tar.gz");
        assertTrue(Files.isRegularFile(tarball), tarball + " built");
        Path unpacked = Files.createDirectory(dir.resolve("unpacked"));
        tools.run(unpacked, Map.of(), "tar", "-xzf", tarball.toString()).check();
        installed = unpacked.resolve("catsdogs-" + version);
        try (Stream<Path> top = Files.list(unpacked)) {
            assertEquals(List.of(installed), top.toList(), "one directory, catsdogs-" + version);
        }
    }

    @Test
    void theTarballIsUnder512Mb() throws IOException {
        long size = Files.size(tarball);
        assertTrue(size < TARBALL_BUDGET_BYTES, tarball + " has " + size + " bytes");
    }

    @Test
    void thePathHasNeitherJavaNorMaven() throws Exception {
        Tools.Result which =
                tools.withoutJdk(installed, "bash", "-c", "command -v java; command -v mvn; true");
        assertEquals("", which.out(), "java or mvn found on the PATH");
    }

    @Test
    void printsItsVersionAndCommands() throws Exception {
        String version = System.getProperty("catsdogs.version");
        Tools.Result shown = tools.withoutJdk(dir, catsdogs(), "--version").check();
        assertEquals("catsdogs " + version + "\n", shown.out());

        Tools.Result help = tools.withoutJdk(dir, catsdogs(), "--help").check();
        for (String command : List.of("summary", "train", "export", "classify", "evaluate")) {
            assertTrue(help.out().contains("\n  " + command + " "), command + ": " + help.out());
        }
    }

    @Test
    void everyCommandStartsFromItsClassPath() throws Exception {
        for (String command :
                List.of(
                        "summary",
                        "train",
                        "export",
                        "classify",
                        "evaluate",
                        "score",
                        "bench",
                        "bench-train",
                        "bench-score",
                        "bench-footprint")) {
            Tools.Result help = tools.withoutJdk(dir, catsdogs(), command, "--help").check();
            // the trainer's subcommands are "catsdogs summary", the others commands of their own
            assertTrue(help.out().matches("(?s)Usage: (catsdogs )?" + command + " .*"), help.out());
        }
    }

    @Test
    void aLinkToTheLauncherFindsTheInstallation() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(bin.resolve("catsdogs"), Path.of(catsdogs()));
        Tools.Result root = tools.withoutJdk(dir, link.toString(), "--root").check();
        assertEquals(installed.toRealPath() + "\n", root.out());
    }

    @Test
    void classifiesTheCheckPhotosWithTheShippedModel() throws Exception {
        Tools.Result classified =
                tools.withoutJdk(
                                dir,
                                catsdogs(),
                                "classify",
                                installed.resolve("models/check-images").toString())
                        .check();
        List<String> lines = classified.out().lines().toList();
        assertEquals(5, lines.size(), "a header and 4 photos: " + classified.out());
        Matcher cat =
                Pattern.compile(".*/cat\\.bmp\\s+cats\\s+([0-9.]+)")
                        .matcher(
                                lines.stream()
                                        .filter(l -> l.contains("cat.bmp"))
                                        .findFirst()
                                        .orElse(""));
        assertTrue(cat.matches(), classified.out());
        assertTrue(Double.parseDouble(cat.group(1)) > 0.9, classified.out());
    }

    @Test
    void trainsAnEpochThenExportsAndEvaluatesTheRun() throws Exception {
        Path data = photos(dir.resolve("data"));
        Path run = dir.resolve("run");
        Tools.Result trained =
                tools.withoutJdk(
                                dir,
                                catsdogs(),
                                "train",
                                "--data",
                                data.toString(),
                                "--out",
                                run.toString(),
                                "--no-export",
                                "--epochs",
                                "1",
                                "--fine-tune-epochs",
                                "0",
                                "--image-size",
                                "64",
                                "--batch-size",
                                "8")
                        .check();
        assertTrue(trained.out().contains("Epoch 1/1 "), trained.out());
        assertTrue(trained.out().contains("training on cpu"), trained.out());
        for (String file : List.of("report.json", "model.params", "curves.png")) {
            assertTrue(Files.isRegularFile(run.resolve(file)), file + "\n" + trained.out());
        }

        Path model = run.resolve("exported.onnx");
        Tools.Result exported =
                tools.withoutJdk(
                                dir,
                                catsdogs(),
                                "export",
                                "--run",
                                run.toString(),
                                "--out",
                                model.toString())
                        .check();
        assertTrue(exported.out().contains("parity: max_abs_logit_diff="), exported.out());
        Tools.Result evaluated =
                tools.withoutJdk(
                                dir,
                                catsdogs(),
                                "evaluate",
                                "--data",
                                data.resolve("validation").toString(),
                                "--model",
                                model.toString(),
                                "--json")
                        .check();
        assertTrue(evaluated.out().contains("\"accuracy\""), evaluated.out());
    }

    @Test
    void scoresPhotosOnSpark() throws Exception {
        Path output = dir.resolve("scored");
        tools.withoutJdk(
                        dir,
                        catsdogs(),
                        "score",
                        "--input",
                        installed.resolve("models/check-images").toString(),
                        "--output",
                        output.toString(),
                        "--format",
                        "csv")
                .check();
        List<String> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(output)) {
            for (Path part : parts.filter(p -> p.toString().endsWith(".csv")).toList()) {
                Files.readAllLines(part).stream()
                        .filter(l -> l.contains(".bmp"))
                        .forEach(rows::add);
            }
        }
        assertEquals(4, rows.size(), "a row per check photo: " + rows);
        assertTrue(
                rows.stream().anyMatch(r -> r.contains("cat.bmp") && r.contains("cats")),
                rows.toString());
    }

    @Test
    void jarsCarryLinuxX8664NativesOnlyTheCpuLibtorchIncluded() throws IOException {
        Set<String> natives = new TreeSet<>();
        for (Path jar : jars()) {
            try (JarFile file = new JarFile(jar.toFile())) {
                file.stream()
                        .map(JarEntry::getName)
                        .filter(n -> NATIVE.matcher(n).matches())
                        .forEach(n -> natives.add(jar.getFileName() + "!" + n));
            }
        }
        List<String> foreign =
                natives.stream()
                        .filter(n -> !LINUX_X86_64.matcher(n).matches() || n.contains("musl"))
                        .toList();
        assertEquals(List.of(), foreign, "another platform's natives");
        assertTrue(
                natives.stream().anyMatch(n -> n.endsWith("pytorch/cpu/linux-x86_64/libtorch.so")),
                "the CPU libtorch: " + natives);
    }

    @Test
    void everyCommandsClassPathIsInLibAndLibHoldsNothingElse() throws IOException {
        Set<String> listed = new TreeSet<>();
        for (String module : List.of("trainer", "bench", "spark")) {
            List<String> classPath =
                    Files.readAllLines(installed.resolve("lib/" + module + ".classpath"));
            for (String jar : classPath) {
                assertTrue(Files.isRegularFile(installed.resolve("lib").resolve(jar)), jar);
            }
            listed.addAll(classPath);
        }
        Set<String> inLib = new TreeSet<>();
        jars().forEach(jar -> inLib.add(jar.getFileName().toString()));
        assertEquals(listed, inLib, "jars in lib/ that no command runs with");
        assertFalse(inLib.stream().anyMatch(n -> n.contains("-osx-")), inLib.toString());
    }

    /** 8 training and 4 validation photos of each class, from the shared data set. */
    private static Path photos(Path data) throws IOException {
        Path photos =
                Path.of(System.getProperty("catsdogs.shared", "../../shared"))
                        .resolve("data/cats_and_dogs_filtered");
        for (String[] split : new String[][] {{"train", "0", "8"}, {"validation", "2000", "4"}}) {
            for (String animal : List.of("cat", "dog")) {
                Path target = Files.createDirectories(data.resolve(split[0]).resolve(animal + "s"));
                int first = Integer.parseInt(split[1]);
                for (int i = first; i < first + Integer.parseInt(split[2]); i++) {
                    String name = animal + "." + i + ".jpg";
                    Files.copy(
                            photos.resolve(split[0]).resolve(animal + "s").resolve(name),
                            target.resolve(name));
                }
            }
        }
        return data;
    }

    private static String catsdogs() {
        return installed.resolve("bin/catsdogs").toString();
    }

    private static List<Path> jars() throws IOException {
        try (Stream<Path> files = Files.list(installed.resolve("lib"))) {
            return files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }
}

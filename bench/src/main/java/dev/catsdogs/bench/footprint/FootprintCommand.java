package dev.catsdogs.bench.footprint;

import dev.catsdogs.bench.Machine;
import dev.catsdogs.bench.Workspace;
import dev.catsdogs.inference.BuildInfo;
import dev.catsdogs.inference.cli.ClassifyCommand;
import dev.catsdogs.inference.cli.CliLogging;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./catsdogs bench-footprint}: what installing and starting the classifier costs. Installs
 * {@code inference} and {@code inference-linux-x86_64} from this checkout into a throw-away local
 * repository (as the README's Embedding section says), builds an application on each and sizes its
 * whole dependency set, sizes the command line's tarball (building it when missing), times new JVMs
 * of the Linux x86-64 application to their first prediction on the shipped model, and counts what
 * those JVMs leave in their temporary directory, also when one is killed with SIGKILL. Ends with
 * one {@code footprint:} line. Its files go to {@code target/bench-footprint/}, removed at the end.
 */
@Command(
        name = "bench-footprint",
        mixinStandardHelpOptions = true,
        description =
                "What installing and starting the classifier costs: an application's dependencies"
                        + " on inference-linux-x86_64 and on inference, the tarball, a new JVM's"
                        + " first prediction, files left in /tmp; prints one 'footprint:' line."
                        + " Needs this checkout and Maven.")
public final class FootprintCommand implements Callable<Integer> {

    static final String PLATFORM_ARTIFACT = "inference-linux-x86_64";
    static final String LIBRARY_ARTIFACT = "inference";

    /**
     * The README's tarball build ({@code mvn -B package -Pdist -DskipTests}), quiet and with only
     * what the tarball needs, as DistributionTest runs it.
     */
    static final List<String> DIST_BUILD =
            List.of(
                    "mvn",
                    "-B",
                    "-q",
                    "package",
                    "-Pdist",
                    "-DskipTests",
                    "-pl",
                    "dist",
                    "-am",
                    "-Dspotless.check.skip=true",
                    "-Dmaven.javadoc.skip=true",
                    "-Dmaven.source.skip=true");

    @Option(
            names = "--runs",
            paramLabel = "N",
            description =
                    "New JVMs timed to their first prediction, after one that fills the native"
                            + " cache; start_ms is their median (default: ${DEFAULT-VALUE}).")
    private int runs = 11;

    @Option(
            names = "--maven-repository",
            paramLabel = "DIR",
            description =
                    "The local Maven repository the throw-away one reads artifacts from, never"
                            + " writing it (default: ~/.m2/repository).")
    private Path mavenRepository;

    @Spec private CommandSpec spec;

    private final PrintStream out;
    private final PrintStream progress;

    /** Report to {@code out}, progress to {@code progress}. */
    public FootprintCommand(PrintStream out, PrintStream progress) {
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] args) {
        CliLogging.install();
        System.exit(commandLine(System.out, System.err).execute(args));
    }

    /**
     * The command line as classify's is set up: UTF-8 standard output, usage errors on one line.
     */
    static CommandLine commandLine(PrintStream out, PrintStream progress) {
        return ClassifyCommand.configure(new CommandLine(new FootprintCommand(out, progress)));
    }

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Received --runs " + runs + "; expected at least 1");
        }
        Path root = Workspace.root();
        if (!Files.isRegularFile(root.resolve("dist/pom.xml"))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "needs this project's checkout and Maven; " + root + " has no dist/pom.xml");
        }
        Path repository = mavenRepository != null ? mavenRepository : MavenSandbox.userRepository();
        Path work = root.resolve("target/bench-footprint");
        try {
            deleteTree(work); // a run killed before its cleanup
            Files.createDirectories(work);
            List<String> report = new ArrayList<>();
            report.add("# catsdogs bench-footprint, version " + BuildInfo.version());
            report.add("machine: " + Machine.describe());
            Footprint footprint = measure(root, repository, work, report);
            report.forEach(out::println);
            footprint.targets().forEach(out::println);
            out.println(footprint.line());
            return 0;
        } catch (IOException e) {
            progress.println("bench-footprint: " + e.getMessage());
            return 1;
        } finally {
            deleteTree(work);
        }
    }

    private Footprint measure(Path root, Path repository, Path work, List<String> report)
            throws IOException, InterruptedException {
        progress.println(
                "bench-footprint: installing "
                        + LIBRARY_ARTIFACT
                        + " and "
                        + PLATFORM_ARTIFACT
                        + " into a throw-away repository ...");
        MavenSandbox maven = new MavenSandbox(work.resolve("maven"), repository);
        Path project = maven.copyProject(root, List.of(LIBRARY_ARTIFACT));
        maven.mvn(
                project,
                List.of(
                        "install",
                        "-pl",
                        PLATFORM_ARTIFACT,
                        "-am",
                        "-DskipTests",
                        "-Dspotless.check.skip=true",
                        "-Dmaven.javadoc.skip=true",
                        "-Dmaven.source.skip=true"));

        progress.println("bench-footprint: building an application on each ...");
        Application platformApp = application(maven, PLATFORM_ARTIFACT);
        Application libraryApp = application(maven, LIBRARY_ARTIFACT);
        double depsMib = mib(platformApp.dependencies());
        double fullDepsMib = mib(libraryApp.dependencies());
        report.add(
                String.format(
                        Locale.ROOT,
                        "deps: an application on %s has %d jar(s), %.1f MiB; on %s %d jars,"
                                + " %.1f MiB",
                        PLATFORM_ARTIFACT,
                        platformApp.dependencies().size(),
                        depsMib,
                        LIBRARY_ARTIFACT,
                        libraryApp.dependencies().size(),
                        fullDepsMib));

        Path tarball =
                root.resolve(
                        "dist/target/catsdogs-" + BuildInfo.version() + "-linux-x86_64.tar.gz");
        if (!Files.isRegularFile(tarball)) {
            progress.println(
                    "bench-footprint: building the tarball ("
                            + String.join(" ", DIST_BUILD)
                            + ") ...");
            MavenSandbox.run(root, DIST_BUILD, Files.createDirectories(work.resolve("tmp")));
        }
        double distMib = Files.size(tarball) / (double) (1 << 20);
        report.add(
                String.format(
                        Locale.ROOT,
                        "dist: %s, %.1f MiB, built %s",
                        root.relativize(tarball),
                        distMib,
                        Files.getLastModifiedTime(tarball)));

        progress.println("bench-footprint: " + (runs + 1) + " new JVMs to a first prediction ...");
        FirstPrediction app =
                new FirstPrediction(
                        platformApp.classPath(),
                        root.resolve("models/catsdogs-mobilenetv2.onnx"),
                        root.resolve("inference/src/test/resources/images/cat.2000.jpg"),
                        work.resolve("app-tmp"));
        FirstPrediction.Start first = app.start(); // may extract the natives into the cache
        List<Long> predictionMs = new ArrayList<>();
        List<Long> processMs = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            FirstPrediction.Start start = app.start();
            if (!start.label().equals("cats")) {
                throw new IOException("cat.2000.jpg was classified as " + start.label());
            }
            predictionMs.add(start.firstPredictionMs());
            processMs.add(start.processMs());
        }
        long startMs = median(predictionMs);
        report.add(
                String.format(
                        Locale.ROOT,
                        "start: first prediction (build + classify, System.nanoTime() in the"
                                + " application) median %d ms, range %d-%d ms over %d new JVMs"
                                + " (no jemalloc); whole java process median %d ms; the start"
                                + " before them, which fills the native cache when empty: %d ms",
                        startMs,
                        predictionMs.stream().min(Long::compare).orElseThrow(),
                        predictionMs.stream().max(Long::compare).orElseThrow(),
                        runs,
                        median(processMs),
                        first.firstPredictionMs()));

        app.startAndKill();
        List<Path> left = app.leftInTmp();
        report.add(
                "tmp: "
                        + left.size()
                        + " file(s) left in java.io.tmpdir and TMPDIR after "
                        + (runs + 1)
                        + " normal runs and one killed with SIGKILL"
                        + (left.isEmpty() ? "" : ": " + left));
        return new Footprint(depsMib, fullDepsMib, distMib, startMs, left.size());
    }

    /**
     * An application built on one of the artifacts.
     *
     * @param classes its compiled {@link FirstPrediction#MAIN}
     * @param dependencies its whole runtime dependency set, as Maven copies it
     */
    record Application(Path classes, List<Path> dependencies) {

        List<Path> classPath() {
            return Stream.concat(Stream.of(classes), dependencies.stream()).toList();
        }
    }

    /**
     * Builds an application on {@code artifactId} (the README's dependency block with that
     * artifact) and copies its runtime dependencies.
     */
    private static Application application(MavenSandbox maven, String artifactId)
            throws IOException, InterruptedException {
        String dependency =
                """
                    <dependency>
                      <groupId>dev.catsdogs</groupId>
                      <artifactId>%s</artifactId>
                      <version>%s</version>
                    </dependency>
                """
                        .formatted(artifactId, BuildInfo.version());
        Path app = maven.application(artifactId, dependency, FirstPrediction.MAIN);
        maven.mvn(
                app,
                List.of(
                        "compile",
                        MavenSandbox.DEPENDENCY_PLUGIN + ":copy-dependencies",
                        "-DincludeScope=runtime",
                        "-DoutputDirectory=" + app.resolve("deps")));
        try (Stream<Path> jars = Files.list(app.resolve("deps"))) {
            return new Application(app.resolve("target/classes"), jars.sorted().toList());
        }
    }

    static double mib(List<Path> files) throws IOException {
        long bytes = 0;
        for (Path file : files) {
            bytes += Files.size(file);
        }
        return bytes / (double) (1 << 20);
    }

    /** The middle value; for an even count, the lower of the two middle ones. */
    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}

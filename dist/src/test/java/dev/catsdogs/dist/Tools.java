package dev.catsdogs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The programs the test runs: Maven (on the shared local repository, which {@code package} only
 * reads), and the installed {@code bin/catsdogs} with a PATH that has every program of {@code
 * /usr/bin} and {@code /bin} but Java's and Maven's. Every child's temporary files go to the test's
 * own directory.
 */
final class Tools {

    /** A finished program: exit code and both streams. */
    record Result(String command, int exitCode, String out, String err) {

        /** This result, after checking that the program exited 0. */
        Result check() {
            assertEquals(0, exitCode, command + "\nstdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }

    private static final long TIMEOUT_MINUTES = 10;

    private final Path dir;
    private final Path tmp;
    private final Path path;

    /** Tools whose files go under {@code dir}. */
    Tools(Path dir) throws IOException {
        this.dir = dir;
        this.tmp = Files.createDirectories(dir.resolve("tmp"));
        this.path = Files.createDirectories(dir.resolve("path-without-jdk"));
        for (String bin : List.of("/usr/bin", "/bin")) {
            try (Stream<Path> programs = Files.list(Path.of(bin))) {
                for (Path program : programs.toList()) {
                    Path link = path.resolve(program.getFileName().toString());
                    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            && !isJdkOrMaven(program)) {
                        Files.createSymbolicLink(link, program);
                    }
                }
            }
        }
    }

    /** Java's and Maven's programs: by name, or by where they really are. */
    private static boolean isJdkOrMaven(Path program) {
        String name = program.getFileName().toString();
        if (name.startsWith("java") || name.startsWith("mvn")) {
            return true;
        }
        try {
            String real = program.toRealPath().toString();
            return real.startsWith("/usr/lib/jvm/") || real.contains("/maven");
        } catch (IOException e) {
            return false; // a dangling link runs nothing
        }
    }

    /**
     * Runs {@code mvn} in {@code workDir} on the local repository this build uses (offline when
     * this build is), and fails the test with Maven's output when it fails.
     */
    void maven(Path workDir, List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mvn"));
        command.addAll(arguments);
        String repository = System.getProperty("catsdogs.m2.repository");
        if (repository != null) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        if (Boolean.getBoolean("catsdogs.m2.offline")) {
            command.add("-o");
        }
        run(
                        workDir,
                        Map.of("MAVEN_OPTS", "-Djava.io.tmpdir=" + tmp),
                        command.toArray(String[]::new))
                .check();
    }

    /**
     * Runs {@code command} as a user without a JDK or Maven would: PATH without them, no JAVA_HOME.
     */
    Result withoutJdk(Path workDir, String... command) throws IOException, InterruptedException {
        return run(
                workDir,
                Map.of("PATH", path.toString(), "CATSDOGS_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp),
                command);
    }

    /** Runs {@code command} in {@code workDir} with {@code environment} added. */
    Result run(Path workDir, Map<String, String> environment, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
        for (String variable : List.of("JAVA_HOME", "JAVA_TOOL_OPTIONS", "CLASSPATH", "M2_HOME")) {
            builder.environment().remove(variable);
        }
        builder.environment().put("TMPDIR", tmp.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            fail(String.join(" ", command) + " ran over " + TIMEOUT_MINUTES + " minutes");
        }
        try {
            return new Result(
                    String.join(" ", command),
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }
}

package dev.catsdogs.bench.footprint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Maven as a user runs it, to install this project's artifacts and build an application against
 * them: on a copy of the checkout's POMs and main sources, with a local repository of its own (the
 * shared one is never written), temporary files in the sandbox. Artifacts are read from the shared
 * local repository first (as a {@code file://} repository), then from Maven Central. The way the
 * inference module's EmbeddingExampleTest installs the library. Needs {@code mvn} on the PATH.
 */
final class MavenSandbox {

    /** The dependency plugin by its full name (its prefix needs metadata the sandbox lacks). */
    static final String DEPENDENCY_PLUGIN =
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

    private static final long TIMEOUT_MINUTES = 10;

    private final Path dir;
    private final Path settings;
    private final Path repository;
    private final Path tmp;

    /** A sandbox in {@code dir}, reading {@code sharedRepository} (never writing it). */
    MavenSandbox(Path dir, Path sharedRepository) throws IOException {
        this.dir = dir;
        this.repository = dir.resolve("repository");
        this.tmp = Files.createDirectories(dir.resolve("tmp"));
        String remote = sharedRepository.toUri().toString();
        this.settings =
                Files.writeString(
                        dir.resolve("settings.xml"),
                        """
                        <settings>
                          <profiles>
                            <profile>
                              <id>shared</id>
                              <repositories>
                                <repository><id>shared</id><url>%1$s</url></repository>
                              </repositories>
                              <pluginRepositories>
                                <pluginRepository><id>shared</id><url>%1$s</url></pluginRepository>
                              </pluginRepositories>
                            </profile>
                          </profiles>
                          <activeProfiles><activeProfile>shared</activeProfile></activeProfiles>
                        </settings>
                        """
                                .formatted(remote));
    }

    /** The user's local repository: {@code ~/.m2/repository}. */
    static Path userRepository() {
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * Copies the checkout at {@code root} as a build needs it: the POMs of the root and of every
     * module it lists, and the main sources of {@code modules}.
     *
     * @return the copy
     */
    Path copyProject(Path root, List<String> modules) throws IOException {
        Path copy = Files.createDirectories(dir.resolve("project"));
        String rootPom = Files.readString(root.resolve("pom.xml"));
        Files.writeString(copy.resolve("pom.xml"), rootPom);
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(rootPom);
        while (module.find()) {
            Path pom = Path.of(module.group(1), "pom.xml");
            Files.createDirectories(copy.resolve(pom).getParent());
            Files.copy(root.resolve(pom), copy.resolve(pom));
        }
        for (String name : modules) {
            copyTree(
                    root.resolve(name).resolve("src/main"), copy.resolve(name).resolve("src/main"));
        }
        return copy;
    }

    /**
     * Runs {@code mvn -B -q} in {@code workDir} with the sandbox's settings and repository.
     *
     * @throws IOException when Maven cannot be started or fails (with its output)
     */
    void mvn(Path workDir, List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q"));
        command.addAll(arguments);
        command.addAll(List.of("-s", settings.toString(), "-Dmaven.repo.local=" + repository));
        run(workDir, command, tmp);
    }

    /**
     * Runs {@code command} (a Maven command line) in {@code workDir}, its JVM's temporary files in
     * {@code tmp}.
     *
     * @throws IOException when it cannot be started or fails (with its output)
     */
    static void run(Path workDir, List<String> command, Path tmp)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().put("MAVEN_OPTS", "-Djava.io.tmpdir=" + tmp);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot run Maven: put mvn on the PATH (" + e.getMessage() + ")");
        }
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(
                    String.join(" ", command) + " ran over " + TIMEOUT_MINUTES + " minutes");
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    String.join(" ", command)
                            + " failed (exit "
                            + process.exitValue()
                            + "):\n"
                            + new String(output, StandardCharsets.UTF_8));
        }
    }

    /**
     * Writes a one-class application: {@code pom.xml} with {@code dependencyXml} and {@code
     * src/main/java/app/Main.java}.
     *
     * @return its directory
     */
    Path application(String name, String dependencyXml, String mainJava) throws IOException {
        Path app = Files.createDirectories(dir.resolve(name));
        Files.writeString(
                app.resolve("pom.xml"),
                """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>%s</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                %s
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <artifactId>maven-resources-plugin</artifactId><version>3.3.1</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """
                        .formatted(name, dependencyXml));
        Path source = app.resolve("src/main/java/app/Main.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, mainJava);
        return app;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}

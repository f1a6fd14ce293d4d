package dev.catsdogs.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark module as a cluster application's dependency: installed as a user would, it brings no
 * Spark (the cluster's is used), none of the CLI's libraries and no logging configuration, and its
 * jar names its module and comes with sources and javadoc.
 *
 * <p>It lives here, beside {@link MavenSandbox}, which installs copies of this project's modules:
 * the spark module's own tests could reach it only through a test-jar dependency, which breaks
 * builds that skip tests ({@code -Dmaven.test.skip}).
 */
class SparkModuleDependencyTest {

    @TempDir Path dir;

    @Test
    void anApplicationGetsNoSparkNoCliLibrariesAndNoLoggingConfiguration() throws Exception {
        MavenSandbox maven = new MavenSandbox(dir);
        Path project = maven.copyProject(List.of("inference", "spark"));
        maven.mvn(
                project,
                List.of(
                        "install",
                        "-pl",
                        "spark",
                        "-am",
                        "-DskipTests",
                        "-Dspotless.check.skip=true"));
        String version = BuildInfo.version();
        Path installed = maven.repository().resolve("dev/catsdogs/spark").resolve(version);
        for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
            assertTrue(Files.isRegularFile(installed.resolve("spark-" + version + suffix)), suffix);
        }
        try (JarFile jar = new JarFile(installed.resolve("spark-" + version + ".jar").toFile())) {
            assertNull(jar.getEntry("log4j2.properties"), "no logging configuration in the jar");
            assertEquals(
                    "dev.catsdogs.spark",
                    jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
        }

        Path app =
                maven.application(
                        "cluster-app",
                        """
                            <dependency>
                              <groupId>dev.catsdogs</groupId>
                              <artifactId>spark</artifactId>
                              <version>%s</version>
                            </dependency>
                        """
                                .formatted(version),
                        "package app; public class Main {}");
        maven.mvn(app, List.of(MavenSandbox.DEPENDENCY_PLUGIN + ":tree", "-DoutputFile=tree.txt"));
        String tree = Files.readString(app.resolve("tree.txt"));
        assertTrue(tree.contains("dev.catsdogs:spark:jar:" + version + ":compile"), tree);
        assertTrue(tree.contains("dev.catsdogs:inference:jar:" + version + ":compile"), tree);
        for (String absent : List.of("org.apache.spark", "picocli", "gson", "progressbar")) {
            assertFalse(tree.contains(absent), absent + " in the application's tree:\n" + tree);
        }
    }
}

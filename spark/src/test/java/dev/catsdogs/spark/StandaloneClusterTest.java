package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.catsdogs.inference.ImageClassifier;
import dev.catsdogs.inference.Prediction;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on loopback: a Master and one Worker as child JVMs (from the
 * Spark jars Maven copied to target/lib, exposed as target/spark-home/jars), so the executor is a
 * separate JVM that loads the natives and builds the classifier itself. 40 photos and the bad files
 * are scored through {@code spark://127.0.0.1:PORT} and compared with {@code classify}. Both
 * processes (and the executors under the Worker) are stopped at the end, also on failure.
 */
class StandaloneClusterTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    @TempDir static Path dir;
    static Process master;
    static Process worker;
    static String masterUrl;
    static Path logs;

    @BeforeAll
    static void startCluster() throws Exception {
        Path target = TestData.root().resolve("spark/target");
        Path lib =
                Path.of(System.getProperty("catsdogs.spark.lib", target.resolve("lib").toString()));
        assertTrue(
                Files.isRegularFile(lib.resolve("spark-core_2.13-" + sparkVersion() + ".jar")),
                "the Spark jars are missing from " + lib + " (mvn copies them before the tests)");
        Path home = target.resolve("spark-home");
        Files.createDirectories(home);
        Path jars = home.resolve("jars");
        if (!Files.exists(jars, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(jars, lib);
        }
        logs = Files.createDirectories(target.resolve("cluster-test-logs"));
        int masterPort = freePort();
        masterUrl = "spark://127.0.0.1:" + masterPort;
        try {
            master =
                    start(
                            home,
                            "master",
                            "org.apache.spark.deploy.master.Master",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            Integer.toString(masterPort),
                            "--webui-port",
                            Integer.toString(freePort()));
            awaitLog("master", "I have been elected leader");
            worker =
                    start(
                            home,
                            "worker",
                            "org.apache.spark.deploy.worker.Worker",
                            "--host",
                            "127.0.0.1",
                            "--webui-port",
                            Integer.toString(freePort()),
                            "--cores",
                            "2",
                            "--memory",
                            "2g",
                            "--work-dir",
                            logs.resolve("work").toString(),
                            masterUrl);
            awaitLog("worker", "Successfully registered with master");
        } catch (Exception | AssertionError e) {
            stopCluster();
            throw e;
        }
    }

    @AfterAll
    static void stopCluster() {
        for (Process p : new Process[] {worker, master}) {
            if (p == null) {
                continue;
            }
            p.descendants().forEach(ProcessHandle::destroy); // the executors under the Worker
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    @Test
    void scoresOnExecutorsInTheirOwnJvms() throws Exception {
        Path photos = dir.resolve("photos");
        Files.createDirectories(photos);
        List<Path> sample = new ArrayList<>();
        for (String kind : List.of("cats", "dogs")) {
            List<Path> all = TestData.imageFiles(TestData.photos("validation").resolve(kind));
            for (Path p : all.subList(0, 20)) {
                sample.add(Files.copy(p, photos.resolve(p.getFileName())));
            }
        }
        List<String> badNames = TestData.writeBadFiles(dir.resolve("bad"), sample.get(0));
        ExecutorClassifiers.closeAll(); // the driver's cache must stay empty: executors build
        Path out = dir.resolve("scored");
        SparkSession spark =
                SparkSessions.builder(
                                "catsdogs cluster test",
                                masterUrl,
                                Map.of(
                                        "spark.driver.host", "127.0.0.1",
                                        "spark.driver.bindAddress", "127.0.0.1",
                                        "spark.ui.enabled", "false",
                                        "spark.executor.memory", "1g",
                                        "spark.ui.showConsoleProgress", "false"))
                        .getOrCreate();
        try {
            ModelFile model = ModelFile.inspect(TestData.model().toString(), null);
            ScoreJob.Summary summary =
                    ScoreJob.run(
                            spark,
                            model,
                            new ScoreJob.Settings(
                                    List.of(photos.toString(), dir.resolve("bad").toString()),
                                    out.toString(),
                                    ScoreJob.Format.PARQUET,
                                    8,
                                    false));
            assertEquals(45, summary.images());
            assertEquals(4, summary.errors());

            List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
            assertEquals(45, rows.size());
            try (ImageClassifier classifier = ImageClassifier.builder(TestData.model()).build()) {
                for (Row row : rows) {
                    Path file = TestData.fromSpark(row.getAs("path"));
                    if (badNames.contains(file.getFileName().toString())) {
                        assertNotNull(row.getAs("error"), file.toString());
                        continue;
                    }
                    Prediction p = classifier.classify(file);
                    assertNull(row.getAs("error"), file.toString());
                    assertEquals(p.label(), row.getAs("label"), file.toString());
                    assertEquals(p.logits()[0], (float) row.getAs("logit"), 1e-5f);
                }
            }

            long driverPid = ProcessHandle.current().pid();
            List<JvmReport> executors = JvmReport.executors(spark, 8);
            assertEquals(1, executors.size(), executors.toString());
            JvmReport executor = executors.get(0);
            assertNotEquals(driverPid, executor.pid(), "the executor must be its own JVM");
            assertTrue(
                    worker.descendants().anyMatch(h -> h.pid() == executor.pid()),
                    "the executor runs under the Worker");
            assertEquals(List.of(model.sha256()), executor.models());
            assertEquals(List.of(), ExecutorClassifiers.models(), "the driver built no classifier");
        } finally {
            spark.stop();
        }
    }

    private static Process start(Path home, String name, String mainClass, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        command.add("-cp");
        command.add(home.resolve("jars") + "/*");
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("SPARK_HOME", home.toString());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().put("SPARK_SCALA_VERSION", "2.13");
        builder.redirectErrorStream(true);
        builder.redirectOutput(logs.resolve(name + ".log").toFile());
        return builder.start();
    }

    private static void awaitLog(String name, String line) throws Exception {
        Path log = logs.resolve(name + ".log");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Process process = name.equals("master") ? master : worker;
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains(line)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited early; its log " + log + ":\n" + text);
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                name + " did not log '" + line + "' within " + START_TIMEOUT + "; see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String sparkVersion() {
        return org.apache.spark.package$.MODULE$.SPARK_VERSION();
    }
}

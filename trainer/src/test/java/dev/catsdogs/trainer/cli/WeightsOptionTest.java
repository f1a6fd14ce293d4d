package dev.catsdogs.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.catsdogs.inference.internal.Sha256;
import dev.catsdogs.trainer.TestPaths;
import dev.catsdogs.trainer.onnx.MobileNetV2Weights;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --weights URL}: downloaded once from a loopback server into the cache, SHA-256 checked,
 * then imported.
 */
class WeightsOptionTest {

    @TempDir Path cache;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private byte[] onnx;

    @BeforeEach
    void serve() throws IOException {
        onnx = Files.readAllBytes(TestPaths.imagenetOnnx());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/mobilenet.onnx",
                exchange -> {
                    requests.incrementAndGet();
                    exchange.sendResponseHeaders(200, onnx.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(onnx);
                    }
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/mobilenet.onnx";
    }

    @Test
    void downloadsOnceChecksAndImports() throws Exception {
        String sha = Sha256.of(TestPaths.imagenetOnnx());
        Path first = WeightsOption.resolve(url(), sha, cache);
        Path second = WeightsOption.resolve(url(), sha, cache);
        assertEquals(first, second);
        assertEquals(1, requests.get(), "the second use comes from the cache");
        assertTrue(first.startsWith(cache));
        assertArrayEquals(onnx, Files.readAllBytes(first));
        assertTrue(MobileNetV2Weights.read(first).hasClassifier());
    }

    @Test
    void wrongChecksumIsRefusedAndLeavesNoFile() {
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> WeightsOption.resolve(url(), "0".repeat(64), cache));
        assertTrue(
                e.getMessage().toLowerCase().contains("sha-256") || e.getMessage().contains("0000"),
                e.getMessage());
        assertTrue(
                () -> {
                    try (var files = Files.walk(cache)) {
                        return files.noneMatch(p -> p.toString().endsWith(".onnx"));
                    } catch (IOException io) {
                        return false;
                    }
                });
    }

    @Test
    void missingLocalFileIsNamed() {
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> WeightsOption.resolve("no/such.onnx", null, cache));
        assertTrue(e.getMessage().contains("no/such.onnx"), e.getMessage());
    }
}

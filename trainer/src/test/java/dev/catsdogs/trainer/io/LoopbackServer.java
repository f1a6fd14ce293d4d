package dev.catsdogs.trainer.io;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on 127.0.0.1 and an ephemeral port, for tests: serves byte arrays by path,
 * redirects, and counts requests per path. Anything else is a 404.
 */
public final class LoopbackServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private volatile boolean chunked;
    private volatile boolean truncated;

    public LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code body} at {@code path}. */
    public LoopbackServer serve(String path, byte[] body) {
        bodies.put(path, body);
        return this;
    }

    /** Answers {@code path} with a 302 to {@code location}. */
    public LoopbackServer redirect(String path, String location) {
        redirects.put(path, location);
        return this;
    }

    /** Sends bodies without Content-Length (chunked). */
    public LoopbackServer chunked(boolean chunked) {
        this.chunked = chunked;
        return this;
    }

    /**
     * Announces the full Content-Length but sends only half of each body, then drops the
     * connection.
     */
    public LoopbackServer truncated(boolean truncated) {
        this.truncated = truncated;
        return this;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public int requests(String path) {
        AtomicInteger count = requests.get(path);
        return count == null ? 0 : count.get();
    }

    /** A loopback port that nothing listens on (bound, then released). */
    public static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        try (exchange) {
            String location = redirects.get(path);
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            byte[] body = bodies.get(path);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.sendResponseHeaders(200, chunked ? 0 : body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body, 0, truncated ? body.length / 2 : body.length);
            out.flush();
            out.close(); // throws for a truncated body, and the server then drops the connection
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.catsdogs.spark.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code --master} URL checked before Spark starts: its form, and for {@code spark://} whether a
 * master accepts connections. Spark itself would take 60 s (three registration attempts of 20 s,
 * not configurable) to give up on an unreachable standalone master, then fail with a stack trace.
 */
final class MasterUrls {

    /** How long to wait for a standalone master's port to accept a connection. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    static final String EXPECTED =
            "expected local, local[N], local[*], spark://HOST:PORT, yarn or k8s://URL";

    // Spark's own master forms (SparkMasterRegex), plus yarn and k8s.
    private static final Pattern FORMS =
            Pattern.compile(
                    "local|local\\[([1-9][0-9]*|\\*)(\\s*,\\s*[1-9][0-9]*)?]"
                        + "|local-cluster\\[\\s*[1-9][0-9]*\\s*,\\s*[1-9][0-9]*\\s*,\\s*[1-9][0-9]*\\s*]"
                        + "|yarn|k8s://.+|spark://.+");

    private MasterUrls() {}

    /** Why {@code master} cannot be used, naming it; null when it can. */
    static String problem(String master) {
        if (!FORMS.matcher(master).matches()) {
            return "--master " + master + ": " + EXPECTED;
        }
        return master.startsWith("spark://") ? standaloneProblem(master) : null;
    }

    // spark://HOST:PORT[,HOST:PORT...]: at least one of them must accept a connection.
    private static String standaloneProblem(String master) {
        List<String> failures = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            InetSocketAddress address;
            try {
                URI uri = new URI("spark://" + hostPort.strip());
                if (uri.getHost() == null || uri.getPort() < 0) {
                    return "--master " + master + ": expected spark://HOST:PORT";
                }
                address = new InetSocketAddress(uri.getHost(), uri.getPort());
            } catch (URISyntaxException e) {
                return "--master " + master + ": expected spark://HOST:PORT";
            }
            if (address.isUnresolved()) {
                failures.add(hostPort + " (unknown host)");
                continue;
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, CONNECT_TIMEOUT_MILLIS);
                return null;
            } catch (UnknownHostException e) {
                failures.add(hostPort + " (unknown host)");
            } catch (IOException e) {
                failures.add(hostPort + " (" + e.getMessage() + ")");
            }
        }
        return "--master " + master + ": no Spark master answers at " + String.join(", ", failures);
    }
}

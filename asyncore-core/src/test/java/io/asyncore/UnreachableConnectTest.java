package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connect to an unreachable network. Made safe by construction: the probe runs in a network
 * namespace of its own ({@code unshare --net}) that has no interface but a loopback that is down,
 * so the kernel refuses the route and no packet can leave. Skipped where namespaces cannot be made.
 */
@Timeout(60)
class UnreachableConnectTest {
    /** TEST-NET-1 (RFC 5737), a documentation address; unroutable inside the empty namespace anyway. */
    static final String NOWHERE = "192.0.2.1";

    /** Runs inside the namespace: connects, reports how the failure arrived. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            try (SocketMap map = new SocketMap()) {
                String[] outcome = {null};
                Dispatcher d = new Dispatcher(map) {
                    @Override
                    public void handleConnect() {
                        outcome[0] = "connected";
                    }

                    @Override
                    public void handleError(Throwable error) {
                        outcome[0] = "handleError " + error;
                        close();
                    }
                };
                d.createSocket();
                try {
                    d.connect(new InetSocketAddress(NOWHERE, 9));
                    Asyncore.loop(Duration.ofMillis(100), false, map, 50);
                } catch (IOException e) {
                    outcome[0] = "thrown " + e;
                    d.close();
                }
                System.out.println("outcome: " + outcome[0] + "; map empty: " + map.isEmpty());
            }
        }
    }

    @Test
    void aConnectToAnUnreachableNetworkFailsAtOnceAndLeavesNothingInTheMap() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare(1)");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of("/usr/bin/unshare", "--net", "--", java.toString(),
                "-cp", System.getProperty("java.class.path"), Probe.class.getName()))
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(45, TimeUnit.SECONDS), "the probe did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.exitValue() == 0 || !out.contains("unshare"), "cannot make a network namespace here: " + out);
        assertEquals(0, p.exitValue(), out);
        // Linux refuses the route synchronously, so the JDK throws from connect(), as Python's
        // connect() raises for an immediate error (a pending connect would reach handleError).
        assertTrue(out.contains("outcome: thrown java.net.SocketException: Network is unreachable"), out);
        assertTrue(out.contains("map empty: true"), out);
    }
}

package io.asyncore.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11, a burst on a cold server with a slow client beside it: 2,000 clients connect at once
 * (every connect is issued before the first echo is awaited), each sends 4 KiB in 1 KiB writes,
 * and every byte comes back (CRC32 and length per connection). Meanwhile a client connected just
 * before the burst sends one byte every 200 ms, from the burst's first connect until the burst
 * is settled and it sent at least 10; each byte must come back, in order.
 *
 * <p>Cold: each style's server is a fresh JVM, the real command line
 * ({@code java -cp <test class path> io.asyncore.samples.cli.Main echo-server --port 0 --style S}, see
 * {@link EchoServerProcess}), started for this case alone; the burst is the first thing it serves,
 * so its code is interpreted, not yet compiled, when the connects land, and its accept queue is
 * what the command's default backlog (the system's) makes it. The clients are plain JDK NIO
 * ({@link EchoClients}) in the test JVM; the server is ended by its PID afterwards.
 *
 * <p>Size: {@code -Dreliability.burst} (2,000 in {@code mvn verify}). A burst larger than the
 * system's backlog ({@code somaxconn}) would test the kernel's queue, not the server.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ColdEchoBurstTest {
    static final int BURST = Integer.getInteger("reliability.burst", 2000);
    static final int PAYLOAD = 4096;
    static final int PIECE = 1024;
    static final Duration SLOW_PERIOD = Duration.ofMillis(200);
    /** A failure guard, not a target: the slow client's slowest echo, on a loaded 2-core machine. */
    static final Duration SLOWEST_ECHO_ALLOWED = Duration.ofSeconds(10);

    @ParameterizedTest(name = "{0} style")
    @ValueSource(strings = {"callback", "coroutine", "mixed"})
    void aColdServerEchoesEveryByteOfABurstOfConnectsAndServesASlowClientBesideIt(String style) throws Exception {
        try (EchoServerProcess server = EchoServerProcess.start(style);
             EchoClients clients = new EchoClients(server.address(), BURST, BURST, PAYLOAD, PIECE, false)
                     .withSlowClient(SLOW_PERIOD, 10)) {
            EchoClients.Result r = clients.run(Duration.ofSeconds(120));

            assertEquals(List.of(), r.failures(), r.describe());
            assertEquals(BURST, r.confirmed(), r.describe());
            assertEquals(BURST, r.maxInFlight(), "every connect was issued before the first echo came back");
            assertEquals((long) BURST * PAYLOAD, r.bytesVerified());
            EchoClients.SlowResult slow = r.slow();
            assertEquals(List.of(), slow.failures(), "the slow client");
            assertEquals(slow.sent(), slow.echoed(), "bytes the slow client sent and got back");
            assertTrue(slow.slowestEcho().compareTo(SLOWEST_ECHO_ALLOWED) < 0,
                    "the slow client's slowest echo took " + slow.slowestEcho().toMillis() + " ms");
            server.assertHealthy();
            assertEquals(BURST + 1, server.accepted(), "connections the server reports accepting (the burst and the slow client)");

            System.out.printf("reliability: cold %s echo server (fresh JVM): burst of %d connects, %d bytes verified in %d ms; "
                            + "slow client: %d bytes echoed (%d sent during the burst), slowest echo %d ms%n",
                    style, r.confirmed(), r.bytesVerified(), r.took().toMillis(),
                    slow.echoed(), slow.sentDuringLoad(), slow.slowestEcho().toMillis());
        }
    }
}

package io.asyncore.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11, a long run of connects: 10,000 connections (the {@code mvn verify} size), at most 128
 * of them unconfirmed at a time, each confirmed by the echo of a 64-byte payload; every one must
 * be established within 90 s (a failure guard; the time taken is printed). Every connection is held open to the end, so
 * at the end the server (the real command line in a JVM of its own, {@link EchoServerProcess})
 * holds all of them at once, and each process needs about 10,000 descriptors: the test checks
 * both processes' open-file limits first ({@code ulimit -n}, 20,000 on the development machine)
 * and fails with what to raise if they are too low.
 *
 * <p>Size: {@code -Dreliability.connects} (10,000 in {@code mvn verify}).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HeldConnectsTest {
    static final int CONNECTS = Integer.getInteger("reliability.connects", 10_000);
    static final int MAX_IN_FLIGHT = 128;
    static final int PAYLOAD = 64;
    /** Descriptors a JVM uses besides the connections (jars, selectors, pipes). */
    static final int SPARE_DESCRIPTORS = 300;

    @ParameterizedTest(name = "{0} style")
    @ValueSource(strings = {"callback", "coroutine", "mixed"})
    void everyConnectWithAtMost128InFlightIsEstablishedEchoedAndHeld(String style) throws Exception {
        long ownLimit = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        assertTrue(ownLimit >= CONNECTS + SPARE_DESCRIPTORS, "the test JVM may open " + ownLimit + " files; holding " + CONNECTS
                + " connections needs " + (CONNECTS + SPARE_DESCRIPTORS) + ": raise ulimit -n, or lower -Dreliability.connects");
        try (EchoServerProcess server = EchoServerProcess.start(style);
             EchoClients clients = new EchoClients(server.address(), CONNECTS, MAX_IN_FLIGHT, PAYLOAD, PAYLOAD, true)) {
            long serverLimit = server.openFileLimit();
            assertTrue(serverLimit < 0 || serverLimit >= CONNECTS + SPARE_DESCRIPTORS, "the server may open " + serverLimit
                    + " files; holding " + CONNECTS + " connections needs " + (CONNECTS + SPARE_DESCRIPTORS) + ": raise ulimit -n");

            EchoClients.Result r = clients.run(Duration.ofSeconds(90));

            assertEquals(List.of(), r.failures(), r.describe());
            assertEquals(CONNECTS, r.confirmed(), r.describe());
            assertTrue(r.maxInFlight() <= MAX_IN_FLIGHT, "at most " + MAX_IN_FLIGHT + " in flight, saw " + r.maxInFlight());
            assertEquals(CONNECTS, r.held(), "connections the clients still hold");
            long serverDescriptors = server.openDescriptors();
            assertTrue(serverDescriptors >= CONNECTS, "the server holds " + serverDescriptors + " descriptors; "
                    + CONNECTS + " connections are open");
            server.assertHealthy();
            assertEquals(CONNECTS, server.accepted(), "connections the server reports accepting");

            System.out.printf("reliability: %s echo server: %d connects (at most %d in flight) established and echoed in %d ms, "
                            + "all held at once (server descriptors %d)%n",
                    style, r.confirmed(), r.maxInFlight(), r.took().toMillis(), serverDescriptors);
        }
    }
}

package io.asyncore.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.asyncore.samples.cli.CoroutineSamples;
import io.asyncore.samples.echo.RunningServer;
import io.asyncore.samples.time.CoroutineTimeServers;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coroutine RFC 868 time samples over UDP against real peers: our client against xinetd's
 * built-in {@code time} service ({@code socket_type = dgram}), and {@code rdate -u} against our server.
 */
class UdpTimePeersTest extends InteropTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    void ourCoroutineClientGetsTheTimeFromXinetdsBuiltInDatagramTimeService() throws Exception {
        Path xinetd = Tools.require("xinetd", "xinetd");
        int port = freeUdpPort();
        Path conf = dir.resolve("xinetd.conf");
        Files.writeString(conf, String.join("\n",
                "defaults",
                "{",
                "    log_type = FILE " + dir.resolve("xinetd.log"),
                "}",
                "service time",
                "{",
                "    type        = INTERNAL UNLISTED",
                "    id          = time-dgram",
                "    socket_type = dgram",
                "    protocol    = udp",
                "    wait        = yes",
                "    port        = " + port,
                "    bind        = 127.0.0.1",
                "    disable     = no",
                "}",
                ""));
        try (ExternalPeer peer = ExternalPeer.start(dir, List.of(xinetd.toString(), "-dontfork", "-stayalive",
                "-f", conf.toString(), "-pidfile", dir.resolve("xinetd.pid").toString()))) {
            awaitBound(port, peer);
            Instant remote = CoroutineSamples.fetchUdpTime(map, "127.0.0.1", port, LIMIT);
            long off = Math.abs(Duration.between(remote, Instant.now()).toSeconds());
            assertTrue(off <= 5, () -> "xinetd's time " + remote + " is " + off + " s from ours\n" + peer.describe());
        }
    }

    @Test
    void rdateGetsTheTimeFromOurCoroutineServerOverUdp() throws Exception {
        Path rdate = Tools.require("rdate", "rdate");
        Instant fixed = Instant.parse("2026-11-22T06:20:00Z");
        try (RunningServer server = CoroutineTimeServers.startUdp(new InetSocketAddress("127.0.0.1", 0),
                Clock.fixed(fixed, ZoneOffset.UTC));
                ExternalPeer client = ExternalPeer.start(dir, List.of("env", "TZ=UTC", rdate.toString(),
                        "-p", "-u", "-o", Integer.toString(server.port()), "127.0.0.1"))) {
            client.closeInput();
            assertEquals(0, client.awaitExit(), client::describe);
            assertTrue(client.stdout().contains("Nov 22 06:20:00") && client.stdout().contains("2026"), client::describe);
        }
    }

    /** A UDP port free a moment ago, for a peer that needs one named in its configuration. */
    private static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }

    /**
     * Waits until a socket is bound to UDP 127.0.0.1:{@code port} (as Linux lists them in
     * /proc/net/udp; probing with a bind of our own could take the port from the peer), failing if
     * {@code peer} exits first or {@link ExternalPeer#WAIT} passes.
     */
    private static void awaitBound(int port, ExternalPeer peer) throws Exception {
        String local = String.format(" 0100007F:%04X ", port);
        long deadline = System.nanoTime() + ExternalPeer.WAIT.toNanos();
        while (!Files.readString(Path.of("/proc/net/udp")).contains(local)) {
            if (peer.awaitExit(20)) {
                fail("exited before binding UDP port " + port + ": " + peer.describe());
            }
            if (System.nanoTime() > deadline) {
                fail("did not bind UDP port " + port + " within " + ExternalPeer.WAIT.toSeconds() + " s: " + peer.describe());
            }
        }
    }
}

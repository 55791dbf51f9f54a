package io.asyncore.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;

/** One echo round trip on a fresh blocking connection: the sign that a server still serves others. */
final class RoundTrip {
    private RoundTrip() {
    }

    /**
     * Connects, sends {@code bytes} seeded random bytes, reads as many back and checks them.
     *
     * @return how long it took, connect included
     * @throws AssertionError if the echo differs, or nothing arrives for 10 s
     */
    static Duration echo(InetSocketAddress server, int bytes) throws IOException {
        byte[] sent = new byte[bytes];
        new Random(bytes).nextBytes(sent);
        byte[] back = new byte[bytes];
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(server, 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(sent);
            InputStream in = socket.getInputStream();
            for (int got = 0; got < bytes; ) {
                int n = in.read(back, got, bytes - got);
                if (n < 0) {
                    throw new AssertionError("end of stream after " + got + " of " + bytes + " echoed bytes");
                }
                got += n;
            }
        }
        assertArrayEquals(sent, back, "the echo of " + bytes + " bytes");
        return Duration.ofNanos(System.nanoTime() - start);
    }
}

package io.asyncore.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Ping-pong on one generator thread: every connection keeps exactly one 64-byte message in flight,
 * sending the next as soon as the echo of the last one is complete; every echo is compared with the
 * message. Round trips are counted and
 * their latencies recorded only inside the measuring window that follows the warm-up.
 *
 * <p>Bounded: it stops at the end of the window or after {@code maxRoundTrips}, and fails if no
 * echo arrives for 10 seconds or a connection closes.
 */
final class PingPong {
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What one run measured. */
    record Result(int connections, long roundTrips, double seconds, Histogram latencyNanos, Cpu cpu) {
        double roundTripsPerSecond() {
            return roundTrips / seconds;
        }

        /** Server CPU microseconds per round trip. */
        double serverMicrosPerRoundTrip() {
            return cpu.serverNanos() / 1000.0 / roundTrips;
        }

        String format() {
            return String.format(java.util.Locale.ROOT,
                    "c=%d rtps=%.0f rts=%d seconds=%.2f p50us=%.1f p99us=%.1f p999us=%.1f srvus_per_rt=%.2f srvcpu=%.2f gencpu=%.2f",
                    connections, roundTripsPerSecond(), roundTrips, seconds,
                    latencyNanos.getValueAtPercentile(50) / 1000.0, latencyNanos.getValueAtPercentile(99) / 1000.0,
                    latencyNanos.getValueAtPercentile(99.9) / 1000.0, serverMicrosPerRoundTrip(),
                    cpu.serverCores(), cpu.generatorCores());
        }
    }

    private static final class Conn {
        final SocketChannel ch;
        final ByteBuffer out;
        long sentAt;
        int received;

        Conn(SocketChannel ch, ByteBuffer message) {
            this.ch = ch;
            this.out = message.duplicate();
        }
    }

    private PingPong() {
    }

    static Result run(List<SocketChannel> channels, long serverPid, double warmupSeconds, double seconds, long maxRoundTrips)
            throws IOException {
        ByteBuffer message = Message.lines(1);
        ByteBuffer in = ByteBuffer.allocateDirect(Message.SIZE);
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (Selector selector = Selector.open()) {
            long now = System.nanoTime();
            for (SocketChannel ch : channels) {
                Conn c = new Conn(ch, message);
                ch.register(selector, SelectionKey.OP_READ, c);
                send(c, now);
            }
            long measureAt = now + (long) (warmupSeconds * 1e9);
            long endAt = measureAt + (long) (seconds * 1e9);
            boolean measuring = false;
            Cpu.Window window = null;
            long measureStart = 0;
            long roundTrips = 0;
            long lastEcho = now;
            while (true) {
                now = System.nanoTime();
                if (!measuring && now - measureAt >= 0) {
                    measuring = true;
                    latency.reset();
                    roundTrips = 0;
                    window = Cpu.start(serverPid);
                    measureStart = System.nanoTime();
                }
                if (now - endAt >= 0 || roundTrips >= maxRoundTrips) {
                    break;
                }
                if (now - lastEcho > STALL_NANOS) {
                    throw new IOException("no echo for 10 s on any of " + channels.size() + " connections: the server stopped answering");
                }
                int ready = selector.select(100);
                if (ready == 0) {
                    continue;
                }
                boolean record = measuring;
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    in.clear().limit(Message.SIZE - c.received);
                    int n = c.ch.read(in);
                    if (n < 0) {
                        throw new IOException("the server closed a connection in the middle of a ping-pong");
                    }
                    Message.verify(in, n, message, c.received);
                    c.received += n;
                    if (c.received == Message.SIZE) {
                        long t = System.nanoTime();
                        if (record) {
                            latency.recordValue(Math.min(t - c.sentAt, latency.getHighestTrackableValue()));
                            roundTrips++;
                        }
                        lastEcho = t;
                        send(c, t);
                    }
                }
                selector.selectedKeys().clear();
            }
            Cpu cpu = window.stop();
            double elapsed = (System.nanoTime() - measureStart) / 1e9;
            drain(selector, in, channels.size());
            return new Result(channels.size(), roundTrips, elapsed, latency, cpu);
        }
    }

    /** Reads the echoes still in flight, so the connections can serve another run with nothing pending. */
    private static void drain(Selector selector, ByteBuffer in, int connections) throws IOException {
        int pending = 0;
        for (SelectionKey key : selector.keys()) {
            if (((Conn) key.attachment()).received < Message.SIZE) {
                pending++;
            }
        }
        long deadline = System.nanoTime() + STALL_NANOS;
        while (pending > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(pending + " of " + connections + " echoes did not arrive within 10 s of the end of the run");
            }
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                Conn c = (Conn) key.attachment();
                if (c.received == Message.SIZE) {
                    continue;
                }
                in.clear().limit(Message.SIZE - c.received);
                int n = c.ch.read(in);
                if (n < 0) {
                    throw new IOException("the server closed a connection in the middle of a ping-pong");
                }
                c.received += n;
                if (c.received == Message.SIZE) {
                    pending--;
                }
            }
            selector.selectedKeys().clear();
        }
        for (SelectionKey key : selector.keys()) {
            key.cancel();
        }
        selector.selectNow(); // deregisters, so the channels can join another selector
    }

    private static void send(Conn c, long now) throws IOException {
        c.received = 0;
        c.sentAt = now;
        c.out.clear();
        for (int spins = 0; c.out.hasRemaining(); spins++) {
            c.ch.write(c.out); // 64 bytes into an empty socket buffer: one call in practice
            if (spins > 1_000_000) {
                throw new IOException("the server has not read a 64-byte message for a long time");
            }
        }
    }
}

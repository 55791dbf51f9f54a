package io.asyncore.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * A load generator for an echo server, on one JDK selector in the calling thread (plain NIO, not
 * the library under test): opens {@code connections} connections, at most {@code maxInFlight}
 * of them not yet confirmed at a time; each sends a seeded random payload in pieces of
 * {@code pieceBytes} (one write call per piece, {@code TCP_NODELAY} on), and is confirmed once the
 * same number of bytes came back with the same CRC32. A connection that fails (refused, reset,
 * closed early, too many bytes) is counted and described, never retried.
 *
 * <p>Optionally a slow client runs beside them on the same selector: it sends one byte per
 * {@code period}, from before the first connect until the last connection is settled and at
 * least {@code slowMinBytes} bytes went out, and checks that each byte comes back, in order.
 *
 * <p>{@link #run} stops by itself: when every connection is settled (confirmed or failed) and the
 * slow client has its last echo, or at {@code limit}, whichever comes first.
 */
final class EchoClients implements AutoCloseable {
    private final InetSocketAddress server;
    private final int connections;
    private final int maxInFlight;
    private final int payloadBytes;
    private final int pieceBytes;
    private final boolean hold;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(65536);
    private final List<SocketChannel> open = new ArrayList<>();
    private final List<Connection> all = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private int failed;
    private int lost;
    private int confirmed;
    private int inFlight;
    private int maxInFlightSeen;
    private long bytesVerified;
    private Slow slow;

    /**
     * @param hold keep each connection open once confirmed (until {@link #close()}) instead of
     *     closing it at once
     */
    EchoClients(InetSocketAddress server, int connections, int maxInFlight, int payloadBytes, int pieceBytes, boolean hold)
            throws IOException {
        this.server = server;
        this.connections = connections;
        this.maxInFlight = maxInFlight;
        this.payloadBytes = payloadBytes;
        this.pieceBytes = pieceBytes;
        this.hold = hold;
        this.selector = Selector.open();
    }

    /** Adds the slow client: one byte per {@code period}, at least {@code minBytes} of them. */
    EchoClients withSlowClient(Duration period, int minBytes) {
        this.slow = new Slow(period.toNanos(), minBytes);
        return this;
    }

    /** What one run measured. */
    /**
     * @param took from the first connect until every connection was settled (the slow client may
     *     run on a little longer, until its last echo)
     */
    record Result(int connections, int confirmed, int failed, int lost, List<String> failures, long bytesVerified,
                  Duration took, int maxInFlight, int held, SlowResult slow) {
        /** "N of M confirmed, F failed, L lost after their echo: first failures ...". */
        String describe() {
            return confirmed + " of " + connections + " confirmed, " + failed + " failed, " + lost + " closed by the server after their echo"
                    + (failures.isEmpty() ? "" : "; first failures: " + failures);
        }
    }

    /** What the slow client saw: bytes sent and echoed, and the slowest echo. */
    record SlowResult(int sent, int echoed, int sentDuringLoad, Duration slowestEcho, List<String> failures) {
    }

    /** One connection of the load. */
    private final class Connection {
        final SocketChannel channel;
        byte[] payload;
        final long expectedCrc;
        final CRC32 crc = new CRC32();
        int sent;
        int received;
        boolean settled;
        boolean broken;
        final int index;

        Connection(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
            payload = new byte[payloadBytes];
            new Random(0x5eed_0000L + index).nextBytes(payload);
            CRC32 c = new CRC32();
            c.update(payload);
            expectedCrc = c.getValue();
        }

        void fail(String why) {
            if (broken) {
                return;
            }
            broken = true;
            if (settled) {
                lost++; // a confirmed connection the server closed or wrote to again
            } else {
                settled = true;
                inFlight--;
                failed++;
            }
            if (failures.size() < 10) {
                failures.add("connection " + index + ": " + why);
            }
            payload = null;
            closeQuietly(channel);
        }

        void handle(SelectionKey key) {
            try {
                if (key.isConnectable()) {
                    if (!channel.finishConnect()) {
                        return;
                    }
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
                if (key.isReadable()) {
                    readBuffer.clear();
                    int n = channel.read(readBuffer);
                    if (n < 0) {
                        fail(settled ? "the server closed it after its echo" : "end of stream after " + received + " of " + payloadBytes + " bytes");
                        return;
                    }
                    received += n;
                    if (received > payloadBytes) {
                        fail(received + " bytes came back, " + payloadBytes + " were sent");
                        return;
                    }
                    crc.update(readBuffer.flip());
                    if (received == payloadBytes) {
                        if (crc.getValue() != expectedCrc) {
                            fail("the CRC32 of the echo differs from that of the payload");
                            return;
                        }
                        settled = true;
                        payload = null;
                        inFlight--;
                        confirmed++;
                        bytesVerified += received;
                        if (!hold) {
                            key.cancel();
                            closeQuietly(channel);
                        }
                        return;
                    }
                }
                if (key.isValid() && key.isWritable()) {
                    int n = channel.write(ByteBuffer.wrap(payload, sent, Math.min(pieceBytes, payloadBytes - sent)));
                    sent += n;
                    if (sent == payloadBytes) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
            } catch (IOException e) {
                fail(e.toString());
            }
        }
    }

    /** The slow client: one byte per period, each checked on its way back. */
    private final class Slow {
        final long periodNanos;
        final int minBytes;
        SocketChannel channel;
        final List<Long> sentAt = new ArrayList<>();
        int echoed;
        int sentDuringLoad;
        long slowestNanos;
        long nextSend;
        boolean done;
        final List<String> failures = new ArrayList<>();

        Slow(long periodNanos, int minBytes) {
            this.periodNanos = periodNanos;
            this.minBytes = minBytes;
        }

        static byte valueOf(int i) {
            return (byte) (i * 31 + 7);
        }

        void connect() throws IOException {
            channel = SocketChannel.open(server); // blocking: established before the load starts
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, this);
            open.add(channel);
            nextSend = System.nanoTime();
        }

        /** Sends the next byte if its time has come. */
        void tick(long now, boolean loadSettled) throws IOException {
            if (done || now - nextSend < 0) {
                return;
            }
            if (loadSettled && sentAt.size() >= minBytes) {
                return;
            }
            if (channel.write(ByteBuffer.wrap(new byte[] {valueOf(sentAt.size())})) != 1) {
                failures.add("the kernel did not take byte " + sentAt.size() + " at once");
                done = true;
                return;
            }
            sentAt.add(now);
            if (!loadSettled) {
                sentDuringLoad++;
            }
            nextSend += periodNanos;
        }

        void handle() {
            try {
                readBuffer.clear();
                int n = channel.read(readBuffer);
                long now = System.nanoTime();
                if (n < 0) {
                    failures.add("end of stream after " + echoed + " echoed bytes");
                    done = true;
                    return;
                }
                readBuffer.flip();
                while (readBuffer.hasRemaining()) {
                    byte b = readBuffer.get();
                    if (echoed >= sentAt.size() || b != valueOf(echoed)) {
                        failures.add("byte " + echoed + " came back as " + b + (echoed >= sentAt.size() ? ", before it was sent" : ""));
                        done = true;
                        return;
                    }
                    slowestNanos = Math.max(slowestNanos, now - sentAt.get(echoed));
                    echoed++;
                }
            } catch (IOException e) {
                failures.add(e.toString());
                done = true;
            }
        }

        boolean finished(boolean loadSettled) {
            return done || (loadSettled && sentAt.size() >= minBytes && echoed == sentAt.size());
        }

        SlowResult result() {
            return new SlowResult(sentAt.size(), echoed, sentDuringLoad, Duration.ofNanos(slowestNanos), failures);
        }
    }

    /**
     * Runs the load; returns what it measured, or throws an {@link AssertionError} describing the
     * state at {@code limit}.
     */
    Result run(Duration limit) throws IOException {
        if (slow != null) {
            slow.connect();
        }
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        int next = 0;
        long settledAt = 0;
        boolean settledSeen = false;
        while (true) {
            while (next < connections && inFlight < maxInFlight) {
                openConnection(next++);
            }
            maxInFlightSeen = Math.max(maxInFlightSeen, inFlight);
            boolean loadSettled = confirmed + failed == connections;
            long now = System.nanoTime();
            if (loadSettled && !settledSeen) {
                settledSeen = true;
                settledAt = now;
            }
            if (slow != null) {
                slow.tick(now, loadSettled);
            }
            if (loadSettled && (slow == null || slow.finished(true))) {
                break;
            }
            if (now - deadline > 0) {
                throw new AssertionError("the load was not done within " + limit.toSeconds() + " s: " + confirmed + " of "
                        + connections + " confirmed, " + failed + " failed, " + inFlight + " in flight (" + stages() + ")"
                        + (failures.isEmpty() ? "" : "; first failures: " + failures)
                        + (slow == null ? "" : "; slow client: " + slow.result()));
            }
            long waitMillis = 100;
            if (slow != null && !slow.done) {
                waitMillis = Math.max(1, Math.min(waitMillis, (slow.nextSend - now + 999_999) / 1_000_000));
            }
            selector.select(waitMillis);
            for (SelectionKey key : selector.selectedKeys()) {
                if (!key.isValid()) {
                    continue;
                }
                if (key.attachment() instanceof Connection c) {
                    c.handle(key);
                } else if (key.attachment() instanceof Slow s) {
                    s.handle();
                }
            }
            selector.selectedKeys().clear();
        }
        Duration took = Duration.ofNanos(settledAt - start);
        int held = 0;
        for (SocketChannel c : open) {
            held += c.isOpen() ? 1 : 0;
        }
        if (slow != null) {
            held--;
        }
        return new Result(connections, confirmed, failed, lost, List.copyOf(failures), bytesVerified, took, maxInFlightSeen, held,
                slow == null ? null : slow.result());
    }

    /** Where the unsettled connections are: connecting, sending, or waiting for (the rest of) their echo. */
    private String stages() {
        int connecting = 0;
        int sending = 0;
        int awaiting = 0;
        int partial = 0;
        for (Connection c : all) {
            if (c.settled) {
                continue;
            }
            if (c.channel.isConnectionPending()) {
                connecting++;
            } else if (c.sent < payloadBytes) {
                sending++;
            } else if (c.received == 0) {
                awaiting++;
            } else {
                partial++;
            }
        }
        return connecting + " connecting, " + sending + " sending, " + awaiting + " sent all and got nothing back, "
                + partial + " got part of their echo";
    }

    private void openConnection(int index) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            open.add(channel);
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean connected = channel.connect(server);
            Connection c = new Connection(index, channel);
            all.add(c);
            channel.register(selector, connected ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, c);
            inFlight++;
        } catch (IOException e) {
            failed++;
            if (channel != null) {
                closeQuietly(channel);
            }
            if (failures.size() < 10) {
                failures.add("connection " + index + " could not be opened: " + e);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a test's client: nothing to do about it
        }
    }

    /** Closes every connection still open, and the selector. */
    @Override
    public void close() throws IOException {
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        open.clear();
        selector.close();
    }
}

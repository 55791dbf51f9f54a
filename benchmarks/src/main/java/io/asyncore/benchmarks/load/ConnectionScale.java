package io.asyncore.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Opens {@code count} connections as fast as the server takes them, and holds them idle.
 *
 * <p>A connection counts as established once the server has echoed one 64-byte message on it, so
 * the connect rate includes the server's accept and first read. At most {@link #WINDOW} connects
 * are in flight at once, fewer than any server's listen backlog, so no SYN is dropped and retried.
 * The server's resident memory and live heap are read before the first connect and after the
 * last echo, each time after a full GC of the server (see {@link LiveHeap}); the GCs are outside
 * the timed part. Bounded: fails after 60 s.
 */
final class ConnectionScale implements AutoCloseable {
    private static final int WINDOW = 128;
    private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final List<SocketChannel> held;
    final int count;
    final double seconds;
    final long rssBeforeKb;
    final long rssAfterKb;
    final long heapBefore;
    final long heapAfter;
    final Cpu cpu;

    private ConnectionScale(List<SocketChannel> held, double seconds, long rssBeforeKb, long rssAfterKb,
            long heapBefore, long heapAfter, Cpu cpu) {
        this.held = held;
        this.count = held.size();
        this.seconds = seconds;
        this.rssBeforeKb = rssBeforeKb;
        this.rssAfterKb = rssAfterKb;
        this.heapBefore = heapBefore;
        this.heapAfter = heapAfter;
        this.cpu = cpu;
    }

    String format() {
        return String.format(Locale.ROOT,
                "n=%d connps=%.0f seconds=%.2f rss_before_kb=%d rss_after_kb=%d rss_per_conn_kb=%.2f heap_per_conn_kb=%s srvcpu=%.2f gencpu=%.2f",
                count, count / seconds, seconds, rssBeforeKb, rssAfterKb, (rssAfterKb - rssBeforeKb) / (double) count,
                heapBefore < 0 || heapAfter < 0 ? "na" : String.format(Locale.ROOT, "%.2f", (heapAfter - heapBefore) / 1024.0 / count),
                cpu.serverCores(), cpu.generatorCores());
    }

    static ConnectionScale open(InetSocketAddress server, long serverPid, int count, Path jcmd) throws IOException {
        ByteBuffer message = Message.lines(1);
        ByteBuffer in = ByteBuffer.allocateDirect(Message.SIZE);
        List<SocketChannel> all = new ArrayList<>(count);
        long heapBefore = LiveHeap.collect(jcmd, serverPid);
        long rssBefore = ProcStat.rssKb(serverPid);
        Cpu.Window window = Cpu.start(serverPid);
        long start = System.nanoTime();
        try (Selector selector = Selector.open()) {
            int started = 0;
            int established = 0;
            while (established < count) {
                while (started < count && started - established < WINDOW) {
                    SocketChannel ch = SocketChannel.open();
                    all.add(ch);
                    Message.configure(ch);
                    ch.configureBlocking(false);
                    int[] received = {0};
                    if (ch.connect(server)) {
                        ch.write(message.duplicate());
                        ch.register(selector, SelectionKey.OP_READ, received);
                    } else {
                        ch.register(selector, SelectionKey.OP_CONNECT, received);
                    }
                    started++;
                }
                if (System.nanoTime() - start > LIMIT_NANOS) {
                    throw new IOException("only " + established + " of " + count + " connections were established in 60 s");
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    if (key.isConnectable()) {
                        ch.finishConnect();
                        ch.write(message.duplicate()); // 64 bytes into a new socket: taken whole
                        key.interestOps(SelectionKey.OP_READ);
                    } else if (key.isReadable()) {
                        int[] received = (int[]) key.attachment();
                        in.clear().limit(Message.SIZE - received[0]);
                        int n = ch.read(in);
                        if (n < 0) {
                            throw new IOException("the server closed connection " + all.indexOf(ch) + " right after accepting it");
                        }
                        Message.verify(in, n, message, received[0]);
                        received[0] += n;
                        if (received[0] == Message.SIZE) {
                            key.cancel(); // held idle from here on
                            established++;
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Cpu cpu = window.stop();
            selector.selectNow(); // flush the cancelled keys before the selector closes
            long heapAfter = LiveHeap.collect(jcmd, serverPid);
            return new ConnectionScale(all, seconds, rssBefore, ProcStat.rssKb(serverPid), heapBefore, heapAfter, cpu);
        } catch (IOException | RuntimeException e) {
            Message.closeAll(all);
            throw e;
        }
    }

    /** Closes every held connection (with a reset). */
    @Override
    public void close() {
        Message.closeAll(held);
    }
}

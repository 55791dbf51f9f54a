package io.asyncore.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Bulk streaming on one connection: the generator writes 64 KiB chunks (of 64-byte lines) as fast
 * as the connection takes them and reads the echo back at once; the figure is echoed bytes per
 * second inside the measuring window. The first 4 MiB of the echo are compared with what was sent.
 * Bounded by the window; fails if nothing comes back for 10 s.
 */
final class Bulk {
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int CHUNK_LINES = 1024; // 64 KiB
    /** The echo's first bytes are compared with what was sent; beyond them only counted, to keep the generator cheap. */
    private static final long VERIFIED_BYTES = 4 << 20;

    /** What one run measured. */
    record Result(long bytes, double seconds, Cpu cpu) {
        double megabytesPerSecond() {
            return bytes / seconds / 1e6;
        }

        String format() {
            return String.format(Locale.ROOT, "mbps=%.1f bytes=%d seconds=%.2f srvcpu=%.2f gencpu=%.2f",
                    megabytesPerSecond(), bytes, seconds, cpu.serverCores(), cpu.generatorCores());
        }
    }

    private Bulk() {
    }

    static Result run(SocketChannel ch, long serverPid, double warmupSeconds, double seconds) throws IOException {
        ByteBuffer chunk = Message.lines(CHUNK_LINES);
        ByteBuffer out = chunk.duplicate();
        ByteBuffer in = ByteBuffer.allocateDirect(chunk.capacity());
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            long now = System.nanoTime();
            long measureAt = now + (long) (warmupSeconds * 1e9);
            long endAt = measureAt + (long) (seconds * 1e9);
            long lastEcho = now;
            long bytes = 0;
            long checked = 0;
            Cpu.Window window = null;
            long measureStart = 0;
            while (true) {
                now = System.nanoTime();
                if (window == null && now - measureAt >= 0) {
                    window = Cpu.start(serverPid);
                    measureStart = System.nanoTime();
                    bytes = 0;
                }
                if (now - endAt >= 0) {
                    break;
                }
                if (now - lastEcho > STALL_NANOS) {
                    throw new IOException("no echo for 10 s: the server stopped answering the bulk stream");
                }
                if (selector.select(100) == 0) {
                    continue;
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isReadable()) {
                        in.clear();
                        int n = ch.read(in);
                        if (n < 0) {
                            throw new IOException("the server closed the bulk connection");
                        }
                        if (checked < VERIFIED_BYTES && n > 0) {
                            Message.verify(in, n, chunk, checked);
                            checked += n;
                        }
                        bytes += n;
                        if (n > 0) {
                            lastEcho = now;
                        }
                    }
                    if (key.isValid() && key.isWritable()) {
                        if (!out.hasRemaining()) {
                            out.clear();
                        }
                        ch.write(out);
                    }
                }
                selector.selectedKeys().clear();
            }
            Cpu cpu = window.stop();
            return new Result(bytes, (System.nanoTime() - measureStart) / 1e9, cpu);
        } finally {
            Message.closeAll(List.of(ch));
        }
    }
}

package io.asyncore.benchmarks.jmh;

import io.asyncore.SocketMap;
import io.asyncore.chat.AsyncChat;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The AsyncChat terminator search: one {@code handleRead()} of a 64 KiB read holding 1,024
 * messages of 64 bytes, each ending in the terminator, so 1,024 {@code foundTerminator()} calls per
 * operation.
 *
 * <p>No socket: the chat's {@code recv(int)} is overridden to return the prepared read, the way
 * CPython's own asynchat tests feed data, so the figure is the search, the copies into
 * {@code collectIncomingData} and the {@code foundTerminator} calls, without a system call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TerminatorSearchBenchmark {
    /** {@code lf}: "\n"; {@code crlf}: "\r\n"; {@code boundary16}: a 16-byte terminator. */
    @Param({"lf", "crlf", "boundary16"})
    String terminator;

    private SocketMap map;
    private Chat chat;

    /** A chat whose reads come from {@link #read}, and whose messages go to a Blackhole. */
    static final class Chat extends AsyncChat {
        byte[] read;
        Blackhole sink;
        int found;

        Chat(SocketMap map) {
            super(map);
        }

        @Override
        public byte[] recv(int bufferSize) {
            return read;
        }

        @Override
        public void foundTerminator() {
            sink.consume(takeIncomingData());
            found++;
        }
    }

    @Setup(Level.Trial)
    public void prepare() {
        String t = switch (terminator) {
            case "lf" -> "\n";
            case "crlf" -> "\r\n";
            case "boundary16" -> "--=_boundary_=--";
            default -> throw new IllegalArgumentException("unknown terminator parameter: " + terminator);
        };
        byte[] term = t.getBytes(StandardCharsets.ISO_8859_1);
        int body = 64 - term.length;
        int messages = 1024;
        byte[] read = new byte[messages * 64];
        for (int m = 0, at = 0; m < messages; m++) {
            for (int i = 0; i < body; i++) {
                read[at++] = (byte) ('a' + (m + i) % 26);
            }
            System.arraycopy(term, 0, read, at, term.length);
            at += term.length;
        }
        map = new SocketMap();
        chat = new Chat(map);
        chat.setTerminator(term);
        chat.read = read;
    }

    @Benchmark
    public int handleRead(Blackhole sink) throws Exception {
        chat.sink = sink;
        chat.found = 0;
        chat.handleRead();
        return chat.found;
    }

    @TearDown(Level.Trial)
    public void close() {
        map.close();
    }
}

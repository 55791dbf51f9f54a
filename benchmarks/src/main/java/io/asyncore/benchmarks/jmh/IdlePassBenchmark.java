package io.asyncore.benchmarks.jmh;

import io.asyncore.Asyncore;
import io.asyncore.DispatcherWithSend;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
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

/**
 * One loop pass, {@code Asyncore.poll(Duration.ZERO, map)}, over a map of N idle connected
 * dispatchers: N/2 loopback connections with both ends in the map, nothing to read or write.
 *
 * <p>{@code interest=announced}: plain {@link DispatcherWithSend}s, which tell the loop when their
 * interest changes, so an idle one should cost nothing per pass. {@code interest=polled}: the same
 * with {@code readable()} overridden as Python code does, so the loop asks each one every pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IdlePassBenchmark {
    @Param({"10", "1000", "10000"})
    int channels;

    @Param({"announced", "polled"})
    String interest;

    private SocketMap map;

    /** Python-style: overrides readable(), so the loop polls it every pass. */
    static final class Polled extends DispatcherWithSend {
        Polled(SocketChannel sock, SocketMap map) {
            super(sock, map);
        }

        @Override
        public boolean readable() {
            return true;
        }
    }

    @Setup(Level.Trial)
    public void connect() throws IOException {
        if (channels % 2 != 0) {
            throw new IllegalArgumentException("channels must be even (both ends of each connection are in the map): " + channels);
        }
        map = new SocketMap();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0), channels);
            for (int i = 0; i < channels / 2; i++) {
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                SocketChannel server = listener.accept();
                serve(client);
                serve(server);
            }
        }
        Asyncore.poll(Duration.ZERO, map); // registers every channel: the measured passes are steady state
        if (map.size() != channels) {
            throw new IllegalStateException("expected " + channels + " dispatchers in the map, found " + map.size());
        }
    }

    private void serve(SocketChannel ch) {
        if (interest.equals("polled")) {
            new Polled(ch, map);
        } else {
            new DispatcherWithSend(ch, map);
        }
    }

    @Benchmark
    public void pass() {
        Asyncore.poll(Duration.ZERO, map);
    }

    @TearDown(Level.Trial)
    public void close() {
        map.close();
    }
}

package io.asyncore.reliability;

import io.asyncore.SocketMap;
import io.asyncore.coroutines.LoopThread;
import io.asyncore.samples.echo.CoroutineEchoServers;
import io.asyncore.samples.echo.EchoServer;
import io.asyncore.samples.echo.RunningServer;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One of the samples' echo servers in this JVM, on a loop thread of its own, listening on
 * {@code 127.0.0.1:0} with the system's backlog: {@code callback} is
 * {@link EchoServer} (the sample's {@code EchoHandler} per connection) on a {@link LoopThread};
 * {@code coroutine} and {@code mixed} are what {@link CoroutineEchoServers#start} starts.
 * These are the classes the command line's {@code echo-server --style STYLE} runs.
 */
final class InProcessEchoServer implements AutoCloseable {
    private final InetSocketAddress address;
    private final LoopThread callbackLoop;
    private final RunningServer running;

    private InProcessEchoServer(InetSocketAddress address, LoopThread callbackLoop, RunningServer running) {
        this.address = address;
        this.callbackLoop = callbackLoop;
        this.running = running;
    }

    static InProcessEchoServer start(String style) throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        if (!style.equals("callback")) {
            RunningServer running = CoroutineEchoServers.start(style, any, 0, (peer, how) -> { });
            return new InProcessEchoServer(running.getAddress(), null, running);
        }
        LoopThread loop = LoopThread.start("callback-echo-server", new SocketMap());
        try {
            EchoServer server = onLoop(loop.getMap(), map -> {
                try {
                    return new EchoServer(any, 0, map, peer -> { });
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int port = onLoop(loop.getMap(), map -> {
                try {
                    return server.port();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            return new InProcessEchoServer(new InetSocketAddress("127.0.0.1", port), loop, null);
        } catch (Throwable t) {
            loop.close();
            throw t;
        }
    }

    InetSocketAddress address() {
        return address;
    }

    /**
     * Runs {@code task} on the callback server's loop thread (where its dispatchers may be read)
     * and returns its result.
     *
     * @throws IllegalStateException for the coroutine styles, whose sockets the sample keeps to itself
     */
    <T> T onLoop(Function<SocketMap, T> task) throws Exception {
        if (callbackLoop == null) {
            throw new IllegalStateException("only the callback server's map is reachable from a test");
        }
        return onLoop(callbackLoop.getMap(), task);
    }

    private static <T> T onLoop(SocketMap map, Function<SocketMap, T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        map.execute(() -> {
            try {
                result.complete(task.apply(map));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (running != null) {
            running.close();
        } else {
            callbackLoop.close();
        }
    }
}

package io.asyncore.benchmarks.server;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import io.asyncore.samples.echo.EchoServer;
import io.asyncore.samples.echo.GroupEchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The samples' callback echo server, the code {@code demo echo-server --style callback} runs
 * ({@link EchoServer} and its {@code EchoHandler}s), unchanged, driven by one thread in
 * {@link Asyncore#loop}.
 *
 * <p>Only the wrapper differs from the command: it is told of each accepted peer by a no-op instead
 * of printing a line per connection, which would make the connection-scale run measure the console.
 * Its listen backlog and socket options are the sample's own, not {@link ServerArgs#BACKLOG}.
 */
public final class SampleCallbackEchoServer {
    private static final String NAME = "SampleCallbackEchoServer";

    private SampleCallbackEchoServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        InetSocketAddress address = ServerArgs.address(args, NAME);
        int loops = ServerArgs.loops(args, NAME);
        if (loops > 1) {
            GroupEchoServer server = new GroupEchoServer(address, 0, loops, peer -> { });
            ServerArgs.ready(NAME, address);
            ServerArgs.awaitForever(server.group());
            return;
        }
        SocketMap map = new SocketMap();
        new EchoServer(address, map, peer -> { });
        ServerArgs.ready(NAME, address);
        Asyncore.loop(null, false, map);
    }
}

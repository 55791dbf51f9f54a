package io.asyncore.benchmarks.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Executor;

/**
 * The thread-per-connection echo server shared by {@link PlatformThreadEchoServer} and
 * {@link VirtualThreadEchoServer}: blocking {@link ServerSocket#accept()} on the main thread, and
 * one thread from {@code threads} per connection doing blocking read-then-write.
 */
final class BlockingEcho {
    private BlockingEcho() {
    }

    static void serve(String name, String[] args, Executor threads) throws IOException {
        InetSocketAddress address = ServerArgs.address(args, name);
        try (ServerSocket listener = new ServerSocket()) {
            listener.setReuseAddress(true);
            listener.bind(address, ServerArgs.BACKLOG);
            ServerArgs.ready(name, address);
            while (true) {
                Socket s = listener.accept();
                s.setTcpNoDelay(true); // as every server here (Netty's default)
                threads.execute(() -> echo(s));
            }
        }
    }

    private static void echo(Socket s) {
        byte[] buf = new byte[8192];
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the peer reset the connection: the thread ends with it
        }
    }
}

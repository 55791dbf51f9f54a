package io.asyncore.benchmarks.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * The command line every echo server takes, {@code <port> [--loops N] [--reuseport]}, and the line
 * it prints once it listens. The asyncore servers serve on a {@link io.asyncore.LoopGroup} of N
 * loops when N is above 1, with one acceptor handing off or, with {@code --reuseport}, one
 * {@code SO_REUSEPORT} listener per loop (the servers on {@link EchoListener} and the coroutine
 * server); the others ignore both.
 *
 * <p>The servers bind 127.0.0.1 only, listen with the same backlog and set {@code TCP_NODELAY} on
 * every connection (Netty's default, so the others do it too). {@code run.sh} starts one server process at a time, waits
 * for the {@code READY} line, points the load generator at the port, then ends the process.
 */
final class ServerArgs {
    /** The listen backlog of every server, so no server loses connects the others keep. */
    static final int BACKLOG = 1024;

    private ServerArgs() {
    }

    /** The loopback address to listen on, from {@code args[0]}. Exits with a usage line on bad input. */
    static InetSocketAddress address(String[] args, String server) {
        boolean loops = args.length >= 3 && args[1].equals("--loops");
        int expected = 1 + (loops ? 2 : 0) + (reusePort(args) ? 1 : 0);
        if (args.length == 0 || args.length != expected || (reusePort(args) && !loops)) {
            usage(server, "expected the port, then optionally --loops N, then optionally --reuseport (with --loops)");
        }
        int port;
        try {
            port = Integer.parseInt(args[0]);
        } catch (NumberFormatException e) {
            usage(server, "the port must be a number, got '" + args[0] + "'");
            return null;
        }
        if (port < 1 || port > 65535) {
            usage(server, "the port must be 1..65535, got " + port);
        }
        return new InetSocketAddress("127.0.0.1", port);
    }

    /**
     * The loops to serve on, from {@code --loops N} after the port: 1 (one loop on the main thread,
     * the servers' original shape) unless given. Exits with a usage line on bad input.
     */
    static int loops(String[] args, String server) {
        if (args.length < 3) {
            return 1;
        }
        try {
            int loops = Integer.parseInt(args[2]);
            if (loops >= 1) {
                return loops;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        usage(server, "--loops must be a number of 1 or more, got '" + args[2] + "'");
        return 1;
    }

    /** True if {@code --reuseport} ends the command line: one listener per loop with {@code SO_REUSEPORT}. */
    static boolean reusePort(String[] args) {
        return args.length > 1 && args[args.length - 1].equals("--reuseport");
    }

    /**
     * A non-blocking listener on {@code address} with {@code SO_REUSEADDR}, {@code SO_REUSEPORT} and
     * {@link #BACKLOG}, for one loop of a {@code --reuseport} server. Exits with a message where the
     * platform has no {@code SO_REUSEPORT}.
     */
    static ServerSocketChannel reusePortListener(InetSocketAddress address) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            if (!listener.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                System.err.println("--reuseport: this platform has no SO_REUSEPORT; run without it (one listener handing off)");
                System.exit(2);
            }
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            listener.configureBlocking(false);
            listener.bind(address, BACKLOG);
            return listener;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /** Waits for {@code group} until the process is ended (the group never stops by itself). */
    static void awaitForever(io.asyncore.LoopGroup group) throws InterruptedException {
        while (!group.awaitTermination(java.time.Duration.ofDays(1))) {
            // run.sh ends the process
        }
    }

    /** Tells run.sh the server accepts connections now. */
    static void ready(String server, InetSocketAddress address) {
        System.out.println("READY " + server + " " + address.getPort() + " pid " + ProcessHandle.current().pid());
        System.out.flush();
    }

    private static void usage(String server, String problem) {
        System.err.println(server + ": " + problem + "\nusage: java ... " + server + " <port> [--loops N [--reuseport]]   (listens on 127.0.0.1:<port>; "
                + "N loops, 1 by default; --reuseport: one SO_REUSEPORT listener per loop instead of one handing off)");
        System.exit(2);
    }
}

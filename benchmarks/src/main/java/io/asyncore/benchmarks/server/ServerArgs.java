package io.asyncore.benchmarks.server;

import java.net.InetSocketAddress;

/**
 * The command line every echo server takes, {@code <port>}, and the line it prints once it listens.
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
        if (args.length != 1) {
            usage(server, "expected exactly one argument, the port");
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

    /** Tells run.sh the server accepts connections now. */
    static void ready(String server, InetSocketAddress address) {
        System.out.println("READY " + server + " " + address.getPort() + " pid " + ProcessHandle.current().pid());
        System.out.flush();
    }

    private static void usage(String server, String problem) {
        System.err.println(server + ": " + problem + "\nusage: java ... " + server + " <port>   (listens on 127.0.0.1:<port>)");
        System.exit(2);
    }
}

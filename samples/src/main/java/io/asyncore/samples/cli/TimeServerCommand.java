package io.asyncore.samples.cli;

import io.asyncore.samples.time.CoroutineTimeServers;
import io.asyncore.samples.time.Rfc868;
import io.asyncore.samples.time.TimeServer;
import io.asyncore.samples.time.UdpTimeServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code time-server}: serves RFC 868 time over TCP and UDP on one port until Ctrl-C. */
@Command(name = "time-server", mixinStandardHelpOptions = true,
        description = "Serve the RFC 868 time over TCP and UDP until Ctrl-C.")
final class TimeServerCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + Rfc868.SAMPLE_PORT,
            description = "Port for both TCP and UDP (default: ${DEFAULT-VALUE}; RFC 868's own port 37 needs root; 0 picks a free one).")
    private int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    private String bind;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "callback",
            description = "callback (TimeServer and UdpTimeServer, Dispatchers) or coroutine (serveTime and "
                    + "serveUdpTime, suspend functions on SuspendingServer and SuspendingDatagramSocket) "
                    + "(default: ${DEFAULT-VALUE}).")
    private ClientStyle style;

    @Override
    public Integer call() throws Exception {
        Ports.check(port);
        if (style == ClientStyle.coroutine) {
            return ServerRunner.serve("time server", port, main.out, map -> {
                int actual = CoroutineTimeServers.start(map, new InetSocketAddress(bind, port), Clock.systemUTC());
                return "time server (coroutine style) listening on " + bind + ":" + actual + " (TCP and UDP); Ctrl-C stops it";
            });
        }
        return ServerRunner.serve("time server", port, main.out, map -> {
            TimeServer tcp = new TimeServer(new InetSocketAddress(bind, port), Clock.systemUTC(), map);
            int actual = tcp.port();
            new UdpTimeServer(new InetSocketAddress(bind, actual), Clock.systemUTC(), map);
            return "time server listening on " + bind + ":" + actual + " (TCP and UDP); Ctrl-C stops it";
        });
    }
}

package io.asyncore.samples.cli;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.time.Rfc868;
import io.asyncore.samples.time.TimeClient;
import io.asyncore.samples.time.UdpTimeClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code time-client}: asks an RFC 868 server for the time and compares it with the local clock. */
@Command(name = "time-client", mixinStandardHelpOptions = true,
        description = "Ask an RFC 868 time server for the time (TCP, or UDP with --udp).")
final class TimeClientCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(index = "0", paramLabel = "HOST", description = "The time server's host name or address.")
    private String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + Rfc868.SAMPLE_PORT,
            description = "The server's port (default: ${DEFAULT-VALUE}, where time-server listens; public servers use 37).")
    private int port;

    @Option(names = "--udp", description = "Ask over UDP instead of TCP.")
    private boolean udp;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "callback",
            description = "callback (TimeClient or UdpTimeClient, Dispatchers) or coroutine (the suspend functions fetchTime "
                    + "and fetchTimeUdp) "
                    + "(default: ${DEFAULT-VALUE}).")
    private ClientStyle style;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        Ports.check(port);
        Duration limit = Duration.ofSeconds(timeoutSeconds);
        if (style == ClientStyle.coroutine) {
            try (SocketMap map = new SocketMap()) {
                Instant remote = udp ? CoroutineSamples.fetchUdpTime(map, host, port, limit)
                        : CoroutineSamples.fetchTime(map, host, port, limit);
                main.out.println(Rfc868.describe(remote, Instant.now()));
            }
            return 0;
        }
        try (SocketMap map = new SocketMap()) {
            CompletableFuture<Instant> result = udp ? new UdpTimeClient(host, port, map).result()
                    : new TimeClient(host, port, map).result();
            Instant remote = Loops.runUntilDone(map, result, limit,
                    "the time server at " + host + ":" + port).join();
            main.out.println(Rfc868.describe(remote, Instant.now()));
        }
        return 0;
    }
}

package io.asyncore.samples.cli;

import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.echo.CoroutineEchoServers;
import io.asyncore.samples.echo.EchoServer;
import io.asyncore.samples.echo.TlsEchoServer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code echo-server}: the documentation's echo server, until Ctrl-C. */
@Command(name = "echo-server", mixinStandardHelpOptions = true,
        description = {"Echo back whatever each connection sends, until Ctrl-C.",
                "With --tls-cert FILE --tls-key FILE every connection runs TLS with that certificate."})
final class EchoServerCommand implements Callable<Integer> {
    /** The ways to write it. */
    enum Style { callback, coroutine, mixed }

    @ParentCommand
    private Main main;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8007",
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    private int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    private String bind;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "0",
            description = "Connections the kernel queues before they are accepted (default: the system's limit, "
                    + "somaxconn on Linux: ${DEFAULT-VALUE} means that).")
    private int backlog;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "callback",
            description = "callback (a Dispatcher per connection), coroutine (a Flow of suspending sockets) or mixed "
                    + "(connections take turns, both kinds on one loop) (default: ${DEFAULT-VALUE}).")
    private Style style;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve TLS with this PEM certificate chain (the server's certificate first); needs --tls-key.")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert: an unencrypted PKCS#8 PEM file (-----BEGIN PRIVATE KEY-----).")
    private Path tlsKey;

    @Override
    public Integer call() throws Exception {
        Ports.check(port);
        SSLContext tls = TlsOptions.server(tlsCert, tlsKey);
        if (backlog < 0) {
            throw new SampleException("--backlog must be 0 (the system's limit, " + Asyncore.defaultBacklog()
                    + ") or more, got " + backlog);
        }
        if (style != Style.callback) {
            if (tls != null) {
                throw new SampleException("--tls-cert with --style " + style + " is not available yet (asyncore-coroutines "
                        + "has no startTls): use --style callback");
            }
            try {
                CoroutineEchoServers.runUntilStopped(style.name(), new InetSocketAddress(bind, port), backlog, main.out);
            } catch (Exception e) {
                throw Ports.explain(e, port);
            }
            return 0;
        }
        SocketMap map = new SocketMap();
        try {
            InetSocketAddress address = new InetSocketAddress(bind, port);
            Consumer<SocketAddress> accepted =
                    addr -> main.out.println("incoming connection from " + Failures.format(addr));
            EchoServer server = tls == null ? new EchoServer(address, backlog, map, accepted)
                    : new TlsEchoServer(address, backlog, map, tls, accepted, (addr, e) -> main.out.println(
                            "connection from " + Failures.format(addr) + " failed: " + Failures.describe(e, null)));
            main.out.println("echo server (callback style" + (tls == null ? "" : ", TLS") + ") listening on " + bind + ":"
                    + server.port() + "; Ctrl-C stops it");
            main.out.flush();
        } catch (Exception e) {
            map.close();
            throw Ports.explain(e, port);
        }
        ServerRunner.runUntilStopped(map, "echo server", main.out);
        map.close();
        return 0;
    }
}

package io.asyncore.samples.cli;

import io.asyncore.Asyncore;
import io.asyncore.LoopGroup;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.echo.CoroutineEchoServers;
import io.asyncore.samples.echo.EchoServer;
import io.asyncore.samples.echo.GroupEchoServer;
import io.asyncore.samples.echo.GroupEchoServers;
import io.asyncore.samples.echo.TlsEchoServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code echo-server}: the documentation's echo server, until Ctrl-C. */
@Command(name = "echo-server", mixinStandardHelpOptions = true,
        description = {"Echo back whatever each connection sends, until Ctrl-C.",
                "With --tls-cert FILE --tls-key FILE every connection runs TLS with that certificate, in every --style."})
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

    @Option(names = "--loops", paramLabel = "N", defaultValue = "1",
            description = "Loops (threads) serving the connections, each connection on one loop for its life "
                    + "(default: ${DEFAULT-VALUE}; the number of cores to use them all).")
    private int loops;

    @Mixin
    private TlsServerOptions tlsOptions;

    @Override
    public Integer call() throws Exception {
        Ports.check(port);
        SSLContext tls = tlsOptions.context();
        if (backlog < 0) {
            throw new SampleException("--backlog must be 0 (the system's limit, " + Asyncore.defaultBacklog()
                    + ") or more, got " + backlog);
        }
        if (loops < 1) {
            throw new SampleException("--loops must be 1 or more, got " + loops);
        }
        if (loops > 1) {
            if (tls != null) {
                throw new SampleException("--tls-cert with --loops " + loops + " is not available yet: use --loops 1");
            }
            return onGroup();
        }
        if (style != Style.callback) {
            try {
                CoroutineEchoServers.runUntilStopped(style.name(), new InetSocketAddress(bind, port), backlog, tls, main.out);
            } catch (Exception e) {
                throw Ports.explain(e, port);
            }
            return 0;
        }
        return ServerRunner.serve("echo server", port, main.out, map -> {
            InetSocketAddress address = new InetSocketAddress(bind, port);
            EchoServer server = tls == null ? new EchoServer(address, backlog, map, ServerRunner.printAccepted(main.out))
                    : new TlsEchoServer(address, backlog, map, tls, ServerRunner.printAccepted(main.out),
                            ServerRunner.printFailed(main.out));
            return "echo server (callback style" + (tls == null ? "" : ", TLS") + ") listening on " + bind + ":"
                    + server.port() + "; Ctrl-C stops it";
        });
    }

    /** {@code --loops N} with N above 1: the same server on a group of loops. */
    private int onGroup() throws Exception {
        InetSocketAddress address = new InetSocketAddress(bind, port);
        LoopGroup group;
        int bound;
        try {
            if (style == Style.callback) {
                GroupEchoServer server = new GroupEchoServer(address, backlog, loops,
                        addr -> main.out.println("incoming connection from " + Failures.format(addr)));
                group = server.group();
                bound = server.port();
            } else {
                GroupEchoServers.Running server = GroupEchoServers.start(style.name(), address, backlog, loops,
                        (addr, how) -> main.out.println("incoming connection from " + (addr == null ? "?" : Failures.format(addr))
                                + (style == Style.mixed ? " (served in " + how + " style)" : "")));
                group = server.group();
                bound = server.port();
            }
        } catch (Exception e) {
            throw Ports.explain(e, port);
        }
        main.out.println("echo server (" + style + " style, " + loops + " loops) listening on " + bind + ":" + bound
                + "; Ctrl-C stops it");
        main.out.flush();
        ServerRunner.runUntilStopped(group, "echo server", main.out);
        return 0;
    }
}

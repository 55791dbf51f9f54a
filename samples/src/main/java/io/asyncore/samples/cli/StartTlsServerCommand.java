package io.asyncore.samples.cli;

import io.asyncore.SocketMap;
import io.asyncore.samples.Failures;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.starttls.StartTlsServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code starttls-server}: the STARTTLS sample's server (AsyncChat), until Ctrl-C. */
@Command(name = "starttls-server", mixinStandardHelpOptions = true,
        description = {"Serve a line protocol that starts in plaintext and moves to TLS on a STARTTLS line, as SMTP does, "
                + "until Ctrl-C.",
                "Commands: HELLO name, STARTTLS, SECRET (told over TLS only), QUIT."})
final class StartTlsServerCommand implements Callable<Integer> {
    /** The sample's default port, beside SMTP's 25 and 587. */
    static final int DEFAULT_PORT = 2525;

    @ParentCommand
    private Main main;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + DEFAULT_PORT,
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    private int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    private String bind;

    @Option(names = "--tls-cert", paramLabel = "FILE", required = true,
            description = "The PEM certificate chain STARTTLS serves (the server's certificate first).")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", required = true,
            description = "The private key of --tls-cert: an unencrypted PKCS#8 PEM file.")
    private Path tlsKey;

    @Override
    public Integer call() throws Exception {
        Ports.check(port);
        SSLContext tls = TlsOptions.server(tlsCert, tlsKey);
        SocketMap map = new SocketMap();
        try {
            StartTlsServer server = new StartTlsServer(new InetSocketAddress(bind, port), map, tls,
                    addr -> main.out.println("incoming connection from " + Failures.format(addr)),
                    (addr, e) -> main.out.println("connection from " + Failures.format(addr) + " failed: "
                            + Failures.describe(e, null)));
            main.out.println("STARTTLS server listening on " + bind + ":" + server.port() + "; Ctrl-C stops it");
            main.out.flush();
        } catch (SampleException e) {
            map.close();
            throw e;
        } catch (Exception e) {
            map.close();
            throw Ports.explain(e, port);
        }
        ServerRunner.runUntilStopped(map, "STARTTLS server", main.out);
        map.close();
        return 0;
    }
}

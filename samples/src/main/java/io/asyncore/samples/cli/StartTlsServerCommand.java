package io.asyncore.samples.cli;

import io.asyncore.samples.SampleException;
import io.asyncore.samples.starttls.StartTlsServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    private TlsServerOptions tlsOptions;

    @Override
    public Integer call() throws Exception {
        Ports.check(port);
        SSLContext tls = tlsOptions.context();
        if (tls == null) {
            throw new SampleException("starttls-server needs a certificate for STARTTLS: --tls-cert FILE --tls-key FILE "
                    + "(a PEM chain and its unencrypted PKCS#8 key)");
        }
        return ServerRunner.serve("STARTTLS server", port, main.out, map -> {
            StartTlsServer server = new StartTlsServer(new InetSocketAddress(bind, port), map, tls,
                    ServerRunner.printAccepted(main.out), ServerRunner.printFailed(main.out));
            return "STARTTLS server listening on " + bind + ":" + server.port() + "; Ctrl-C stops it";
        });
    }
}

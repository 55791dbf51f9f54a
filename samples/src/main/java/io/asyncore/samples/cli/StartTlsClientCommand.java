package io.asyncore.samples.cli;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.starttls.StartTlsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code starttls-client}: the STARTTLS sample's client (AsyncChat, or the suspend function); prints the conversation. */
@Command(name = "starttls-client", mixinStandardHelpOptions = true,
        description = "Talk to starttls-server: send the commands one at a time, moving to TLS on STARTTLS, "
                + "and print the conversation.")
final class StartTlsClientCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(index = "0", paramLabel = "HOST", description = "The server's host name or address; its certificate must match it.")
    private String host;

    @Parameters(index = "1..*", paramLabel = "COMMAND",
            description = "The lines to send (default: \"HELLO asyncore\" SECRET STARTTLS \"HELLO asyncore\" SECRET QUIT).")
    private List<String> commands = List.of("HELLO asyncore", "SECRET", "STARTTLS", "HELLO asyncore", "SECRET", "QUIT");

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + StartTlsServerCommand.DEFAULT_PORT,
            description = "The server's port (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "Trust only the CA certificates in this PEM file, instead of the JDK's default trust store.")
    private Path caCert;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "callback",
            description = "callback (StartTlsClient, an AsyncChat) or coroutine (the suspend function startTlsConversation) "
                    + "(default: ${DEFAULT-VALUE}).")
    private ClientStyle style;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        Ports.check(port);
        SSLContext trust = caCert == null ? SSLContext.getDefault() : TlsOptions.trusting(caCert);
        try (SocketMap map = new SocketMap()) {
            if (style == ClientStyle.coroutine) {
                CoroutineSamples.startTls(map, host, port, commands, trust, Duration.ofSeconds(timeoutSeconds))
                        .forEach(main.out::println);
                return 0;
            }
            StartTlsClient client = new StartTlsClient(host, port, commands, trust, map);
            List<String> transcript = Loops.runUntilDone(map, client.result(), Duration.ofSeconds(timeoutSeconds),
                    "the STARTTLS server at " + host + ":" + port).join();
            transcript.forEach(main.out::println);
        }
        return 0;
    }
}

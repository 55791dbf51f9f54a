package io.asyncore.samples;

import io.asyncore.SocketMap;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code http-get}: fetches a URL with {@link AsyncHttp}, following redirects, and prints the response. */
@Command(name = "http-get", mixinStandardHelpOptions = true,
        description = "Fetch an http:// URL (following redirects) and print the status line, headers and body.")
final class HttpGetCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(index = "0", paramLabel = "URL", description = "An http:// URL (https is not supported).")
    private String url;

    @Option(names = "--max-redirects", paramLabel = "N", defaultValue = "" + RedirectingConsumer.DEFAULT_MAX_REDIRECTS,
            description = "Follow at most N redirects (default: ${DEFAULT-VALUE}).")
    private int maxRedirects;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "callback",
            description = "callback (AsyncHttp with a RedirectingConsumer) or coroutine (the suspend function httpGet) "
                    + "(default: ${DEFAULT-VALUE}).")
    private ClientStyle style;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Fail after this many seconds without data (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (maxRedirects < 0) {
            throw new SampleException("--max-redirects " + maxRedirects + " is negative: use 0 to follow none");
        }
        if (timeoutSeconds <= 0) {
            throw new SampleException("--timeout " + timeoutSeconds + " must be at least 1 second");
        }
        URI target = HttpTarget.parseUrl(url);
        Duration idle = Duration.ofSeconds(timeoutSeconds);
        if (style == ClientStyle.coroutine) {
            try (SocketMap map = new SocketMap()) {
                List<URI> chain = new java.util.ArrayList<>(List.of(target));
                HttpResponse r = CoroutineSamples.httpGet(map, target, maxRedirects, idle, chain::add);
                PrintingConsumer printing = new PrintingConsumer(main.out);
                printing.response(r.head());
                printing.feed(r.body());
                printing.done();
                printRedirects(chain);
            }
            return 0;
        }
        try (SocketMap map = new SocketMap()) {
            PrintingConsumer printing = new PrintingConsumer(main.out);
            RedirectingConsumer redirecting = new RedirectingConsumer(printing, map, maxRedirects, idle);
            redirecting.start(target);
            // The idle timeout fails a stalled request; the overall limit only guards against a server that trickles forever.
            Loops.runUntilDone(map, printing.result(), idle.multipliedBy(10L * (maxRedirects + 1)), "the request for " + target)
                    .join();
            printRedirects(redirecting.chain());
        }
        return 0;
    }

    private void printRedirects(List<URI> chain) {
        if (chain.size() > 1) {
            main.err.println("followed " + (chain.size() - 1) + " redirect(s): "
                    + chain.stream().map(URI::toString).collect(Collectors.joining(" -> ")));
        }
    }
}

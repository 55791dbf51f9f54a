package io.asyncore.samples.cli;

import io.asyncore.SocketMap;
import io.asyncore.samples.Loops;
import io.asyncore.samples.SampleException;
import io.asyncore.samples.http.AsyncHttp;
import io.asyncore.samples.http.HttpConsumer;
import io.asyncore.samples.http.HttpLimits;
import io.asyncore.samples.http.HttpResponse;
import io.asyncore.samples.http.HttpTarget;
import io.asyncore.samples.http.PrintingConsumer;
import io.asyncore.samples.http.ProgressMeter;
import io.asyncore.samples.http.RedirectingConsumer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code http-get}: fetches a URL with {@link AsyncHttp}, following redirects, and prints the response. */
@Command(name = "http-get", mixinStandardHelpOptions = true,
        description = {"Fetch an http:// or https:// URL (following redirects) and print the status line, headers and body.",
                "https checks that the server's certificate is valid for the URL's host and signed by a CA of the JDK's "
                        + "trust store, or of --cacert FILE.",
                "When stderr is a terminal, a body of 1 MiB or more shows a progress line there (bytes, rate, "
                        + "percentage when Content-Length is known); never in a pipe or a file."})
final class HttpGetCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(index = "0", paramLabel = "URL", description = "An http:// or https:// URL.")
    private String url;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "For https: trust only the CA certificates in this PEM file, instead of the JDK's default trust store.")
    private Path caCert;

    @Option(names = "--max-redirects", paramLabel = "N", defaultValue = "" + RedirectingConsumer.DEFAULT_MAX_REDIRECTS,
            description = "Follow at most N redirects (default: ${DEFAULT-VALUE}).")
    private int maxRedirects;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "callback",
            description = "callback (AsyncHttp with a RedirectingConsumer; shows the progress line) or coroutine (the suspend function httpGet; it gets the body whole, so no progress line) "
                    + "(default: ${DEFAULT-VALUE}).")
    private ClientStyle style;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Fail after this many seconds without data (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Option(names = "--max-time", paramLabel = "SECONDS", defaultValue = "300",
            description = "Fail if the whole request, redirects included, takes longer than this, "
                    + "e.g. a server trickling an endless body (default: ${DEFAULT-VALUE}).")
    private int maxTimeSeconds;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "64M",
            description = "Fail if the body is larger than this; a number with an optional K, M or G "
                    + "(binary) suffix (default: ${DEFAULT-VALUE}).")
    private String maxBody;

    @Override
    public Integer call() throws Exception {
        if (maxRedirects < 0) {
            throw new SampleException("--max-redirects " + maxRedirects + " is negative: use 0 to follow none");
        }
        if (timeoutSeconds <= 0) {
            throw new SampleException("--timeout " + timeoutSeconds + " must be at least 1 second");
        }
        if (maxTimeSeconds <= 0) {
            throw new SampleException("--max-time " + maxTimeSeconds + " must be at least 1 second");
        }
        URI target = HttpTarget.parseUrl(url);
        HttpLimits limits = new HttpLimits(Duration.ofSeconds(timeoutSeconds), Duration.ofSeconds(maxTimeSeconds),
                parseSize(maxBody));
        SSLContext trust = TlsOptions.trusting(caCert); // a bad file fails here, naming it
        if (style == ClientStyle.coroutine) {
            try (SocketMap map = new SocketMap()) {
                List<URI> chain = new java.util.ArrayList<>(List.of(target));
                HttpResponse r = CoroutineSamples.httpGet(map, target, maxRedirects, limits, trust, chain::add);
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
            HttpConsumer shown = main.errIsTerminal ? new ProgressMeter(printing, main.err, System::nanoTime) : printing;
            RedirectingConsumer redirecting = new RedirectingConsumer(shown, map, maxRedirects, limits, trust);
            redirecting.start(target);
            // --max-time fails the request itself; this limit is only a backstop a little after it.
            Loops.runUntilDone(map, printing.result(), limits.requestTimeout().plusSeconds(5), "the request for " + target)
                    .join();
            printRedirects(redirecting.chain());
        }
        return 0;
    }

    /** {@code 1048576}, {@code 512K}, {@code 64M} or {@code 1G} as bytes. */
    static long parseSize(String text) throws SampleException {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        int shift = t.endsWith("K") ? 10 : t.endsWith("M") ? 20 : t.endsWith("G") ? 30 : 0;
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        if (!digits.matches("\\d{1,12}")) {
            throw new SampleException("--max-body '" + text + "' is not a size: use bytes, or a number with K, M or G, like 64M");
        }
        return Long.parseLong(digits) << shift;
    }

    private void printRedirects(List<URI> chain) {
        if (chain.size() > 1) {
            main.err.println("followed " + (chain.size() - 1) + " redirect(s): "
                    + chain.stream().map(URI::toString).collect(Collectors.joining(" -> ")));
        }
    }
}

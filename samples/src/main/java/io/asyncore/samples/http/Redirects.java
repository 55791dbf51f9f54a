package io.asyncore.samples.http;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The redirect rules both HTTP clients share (the callback {@link RedirectingConsumer} and the
 * suspending {@code httpGet}): which responses redirect, where to, and when to stop.
 */
final class Redirects {
    private static final Set<Integer> CODES = Set.of(301, 302, 303, 307, 308);

    private Redirects() {
    }

    /** Where {@code head} redirects to, or empty if it is a final response (also a 3xx without Location). */
    static Optional<URI> target(HttpResponseHead head) throws HttpException {
        Optional<String> location = head.header("Location");
        if (!CODES.contains(head.code()) || location.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(head.url().resolve(location.get().strip()));
        } catch (IllegalArgumentException e) {
            throw new HttpException(head.statusLine() + " from " + head.url() + " has an invalid Location "
                    + ResponseParser.quote(location.get()));
        }
    }

    /**
     * Checks that a redirect to {@code to} may be followed after the URLs of {@code chain} (the
     * first request first).
     *
     * @throws HttpException naming the loop, or the hop limit that was reached
     */
    static void check(List<URI> chain, URI to, int maxRedirects) throws HttpException {
        int followed = chain.size() - 1;
        if (chain.contains(to)) {
            throw new HttpException("redirect loop: " + chain.get(chain.size() - 1) + " redirects to " + to
                    + ", which was already visited (after " + followed + (followed == 1 ? " redirect)" : " redirects)"));
        }
        if (followed >= maxRedirects) {
            throw new HttpException("too many redirects: stopped after " + maxRedirects + " (from "
                    + chain.get(0) + ", the last one to " + to + ")");
        }
    }
}

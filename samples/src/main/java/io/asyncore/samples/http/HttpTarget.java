package io.asyncore.samples.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where an {@code http} or {@code https} URL points: host, port, request target, {@code Host}
 * header value, and whether the connection runs TLS.
 *
 * @param host the host to connect to (an IPv6 literal without brackets); for https also the name
 *     the server's certificate must match
 * @param port the port, 80 (http) or 443 (https) unless the URL says otherwise
 * @param requestTarget the path and query for the request line, at least {@code /}
 * @param hostHeader the {@code Host} header value
 * @param https whether the URL is {@code https}: TLS from the connect on
 */
public record HttpTarget(String host, int port, String requestTarget, String hostHeader, boolean https) {

    /** The bytes of a {@code GET} of this target on a connection used once. */
    byte[] getRequest() {
        return ("GET " + requestTarget + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: asyncore-samples\r\n"
                + "Accept-Encoding: identity\r\n"
                + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * Parses a URL typed by a user.
     *
     * @throws HttpException if it is malformed, not an {@code http} or {@code https} URL, or has no host
     */
    public static URI parseUrl(String text) throws HttpException {
        try {
            URI url = new URI(text.strip());
            of(url); // validate now, so the user hears about it before any connect
            return url;
        } catch (URISyntaxException e) {
            throw new HttpException("invalid URL " + ResponseParser.quote(text) + ": " + e.getReason()
                    + " (expected like http://127.0.0.1:8080/path)");
        }
    }

    /** The target of {@code url}. */
    static HttpTarget of(URI url) throws HttpException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        boolean https = scheme.equals("https");
        if (!https && !scheme.equals("http")) {
            throw new HttpException("not an http URL: " + ResponseParser.quote(url.toString())
                    + " (expected like http://127.0.0.1:8080/path)");
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            throw new HttpException("the URL " + ResponseParser.quote(url.toString()) + " has no host name");
        }
        int defaultPort = https ? 443 : 80;
        int port = url.getPort() == -1 ? defaultPort : url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String target = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        String hostHeader = port == defaultPort ? host : host + ":" + port;
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return new HttpTarget(bare, port, target, hostHeader, https);
    }
}

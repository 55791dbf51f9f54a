package io.asyncore.samples.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The status line and headers of an HTTP response.
 *
 * @param url the URL the response came from
 * @param version the protocol version from the status line, such as {@code HTTP/1.1}
 * @param code the status code, 100 to 999
 * @param reason the reason phrase, possibly empty
 * @param headers the header fields in the order received, names as sent
 */
public record HttpResponseHead(URI url, String version, int code, String reason, List<Map.Entry<String, String>> headers) {
    /** Copies the header list. */
    public HttpResponseHead {
        Objects.requireNonNull(url, "url");
        headers = List.copyOf(headers);
    }

    /** The first value of header {@code name}, compared without regard to case. */
    public Optional<String> header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return Optional.of(h.getValue());
            }
        }
        return Optional.empty();
    }

    /** Every value of header {@code name}, compared without regard to case. */
    public List<String> headers(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return headers.stream().filter(h -> h.getKey().toLowerCase(Locale.ROOT).equals(lower)).map(Map.Entry::getValue).toList();
    }

    /** {@code HTTP/1.1 200 OK}. */
    public String statusLine() {
        return reason.isEmpty() ? version + " " + code : version + " " + code + " " + reason;
    }
}

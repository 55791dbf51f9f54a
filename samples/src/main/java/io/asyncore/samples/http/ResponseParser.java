package io.asyncore.samples.http;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An incremental HTTP/1.x response parser: bytes go in as they arrive, the head and body pieces
 * come out to an {@link HttpConsumer}. Handles Content-Length, chunked transfer coding and bodies
 * ended by close; rejects what it cannot trust with an {@link HttpException} saying what was wrong,
 * also a body over its size limit (the one place both HTTP clients enforce {@link HttpLimits#maxBodyBytes()}).
 * Not thread-safe: one per response, used by the loop thread.
 */
final class ResponseParser {
    /** Status line plus headers (and, separately, trailers) at most. */
    static final int MAX_HEADER_BYTES = 64 * 1024;
    /** A chunk-size line at most (size plus extensions). */
    static final int MAX_CHUNK_LINE = 1024;

    private static final Pattern STATUS_LINE = Pattern.compile("(HTTP/\\d\\.\\d) (\\d{3})(?: (.*))?");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern CHUNK_SIZE = Pattern.compile("[0-9A-Fa-f]{1,15}");

    private enum State { STATUS, HEADERS, LENGTH_BODY, CLOSE_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, DONE }

    private final URI url;
    private final HttpConsumer consumer;
    private final long maxBodyBytes;
    private State state = State.STATUS;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    private int headBytes;
    private boolean anyBytes;
    private String version;
    private int code;
    private String reason;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private long contentLength;
    private long remaining;
    private long bodyBytes;

    /** A parser that rejects a body longer than {@code maxBodyBytes} (after chunked decoding). */
    ResponseParser(URI url, HttpConsumer consumer, long maxBodyBytes) {
        this.url = url;
        this.consumer = consumer;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Parses what {@code in} holds, consuming it.
     *
     * @return true once the response is complete (bytes after it are left in {@code in})
     */
    boolean feed(ByteBuffer in) throws HttpException {
        if (in.hasRemaining()) {
            anyBytes = true;
        }
        while (in.hasRemaining() && state != State.DONE) {
            switch (state) {
                case LENGTH_BODY, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.remaining());
                    deliver(in, n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = state == State.LENGTH_BODY ? State.DONE : State.CHUNK_END;
                    }
                }
                case CLOSE_BODY -> deliver(in, in.remaining());
                default -> {
                    String l = readLine(in);
                    if (l != null) {
                        onLine(l);
                    }
                }
            }
        }
        return state == State.DONE;
    }

    /**
     * The server closed the connection.
     *
     * @throws HttpException if the response is incomplete
     */
    void endOfStream() throws HttpException {
        switch (state) {
            case DONE -> { }
            case CLOSE_BODY -> state = State.DONE;
            case STATUS -> throw new HttpException(anyBytes
                    ? "the server closed the connection in the middle of the status line"
                    : "the server closed the connection without sending a response");
            case HEADERS -> throw new HttpException("the server closed the connection in the middle of the response headers");
            case LENGTH_BODY -> throw new HttpException("the response body was cut short: the connection closed after "
                    + bodyBytes + " of " + contentLength + " bytes (Content-Length)");
            default -> throw new HttpException("the chunked response body was cut short: the connection closed after "
                    + bodyBytes + " body bytes, before the last chunk");
        }
    }

    private void deliver(ByteBuffer in, int n) throws HttpException {
        if (n == 0) {
            return;
        }
        checkBodySize(bodyBytes + n, "at least " + (bodyBytes + n) + " bytes arrived");
        byte[] piece = new byte[n];
        in.get(piece);
        bodyBytes += n;
        consumer.feed(piece);
    }

    /** The next line without its CR LF (a bare LF is accepted), or null if it is not complete yet. */
    private String readLine(ByteBuffer in) throws HttpException {
        boolean chunkLine = state == State.CHUNK_SIZE || state == State.CHUNK_END;
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                line.reset();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (chunkLine ? line.size() > MAX_CHUNK_LINE : ++headBytes > MAX_HEADER_BYTES) {
                throw tooLong();
            }
        }
        return null;
    }

    private HttpException tooLong() {
        return switch (state) {
            case CHUNK_SIZE -> new HttpException("invalid chunk size line: longer than " + MAX_CHUNK_LINE
                    + " bytes, starting " + quote(line.toString(StandardCharsets.ISO_8859_1)));
            case CHUNK_END -> new HttpException("chunk data is longer than its declared size (no CRLF after "
                    + "the chunk); the server sent a wrong chunk size");
            case TRAILERS -> new HttpException("the response headers and trailers are larger than " + MAX_HEADER_BYTES + " bytes");
            default -> new HttpException("the response headers are larger than " + MAX_HEADER_BYTES
                    + " bytes; is this an HTTP server?");
        };
    }

    private void onLine(String l) throws HttpException {
        switch (state) {
            case STATUS -> onStatusLine(l);
            case HEADERS -> {
                if (l.isEmpty()) {
                    onHeadersDone();
                } else {
                    onHeaderLine(l);
                }
            }
            case CHUNK_SIZE -> onChunkSize(l);
            case CHUNK_END -> {
                if (!l.isEmpty()) {
                    throw new HttpException("chunk data is longer than its declared size (found "
                            + quote(l) + " where CRLF should end the chunk)");
                }
                state = State.CHUNK_SIZE;
            }
            case TRAILERS -> {
                if (l.isEmpty()) {
                    state = State.DONE;
                }
            }
            default -> throw new AssertionError(state);
        }
    }

    private void onStatusLine(String l) throws HttpException {
        Matcher m = STATUS_LINE.matcher(l);
        if (!m.matches() || m.group(2).charAt(0) == '0') {
            throw new HttpException("malformed status line " + quote(l) + " (expected like 'HTTP/1.1 200 OK'); is this an HTTP server?");
        }
        version = m.group(1);
        code = Integer.parseInt(m.group(2));
        reason = m.group(3) == null ? "" : m.group(3);
        state = State.HEADERS;
    }

    private void onHeaderLine(String l) throws HttpException {
        if ((l.charAt(0) == ' ' || l.charAt(0) == '\t') && !headers.isEmpty()) {
            // obsolete line folding: continue the previous value (RFC 9112 lets a client do this)
            Map.Entry<String, String> last = headers.remove(headers.size() - 1);
            headers.add(Map.entry(last.getKey(), last.getValue() + " " + l.strip()));
            return;
        }
        int colon = l.indexOf(':');
        if (colon <= 0 || !TOKEN.matcher(l.substring(0, colon)).matches()) {
            throw new HttpException("malformed header line " + quote(l) + " (expected 'Name: value')");
        }
        headers.add(Map.entry(l.substring(0, colon), l.substring(colon + 1).strip()));
    }

    private void onHeadersDone() throws HttpException {
        if (code >= 100 && code < 200 && code != 101) {
            headers.clear(); // an interim response (100 Continue...): the real one follows
            state = State.STATUS;
            return;
        }
        HttpResponseHead head = new HttpResponseHead(url, version, code, reason, headers);
        State body = bodyState(head);
        consumer.response(head);
        state = body;
    }

    private State bodyState(HttpResponseHead head) throws HttpException {
        if (code == 204 || code == 304 || code < 200) {
            return State.DONE;
        }
        List<String> te = head.headers("Transfer-Encoding");
        if (!te.isEmpty()) {
            String codings = String.join(",", te);
            String last = codings.substring(codings.lastIndexOf(',') + 1).strip().toLowerCase(Locale.ROOT);
            return last.equals("chunked") ? State.CHUNK_SIZE : State.CLOSE_BODY;
        }
        List<String> cl = head.headers("Content-Length");
        if (cl.isEmpty()) {
            return State.CLOSE_BODY;
        }
        long length = -1;
        for (String value : String.join(",", cl).split(",", -1)) {
            String v = value.strip();
            if (!v.matches("\\d{1,18}")) {
                throw new HttpException("invalid Content-Length header " + quote(String.join(", ", cl)));
            }
            long n = Long.parseLong(v);
            if (length >= 0 && n != length) {
                throw new HttpException("conflicting Content-Length headers " + quote(String.join(", ", cl)));
            }
            length = n;
        }
        checkBodySize(length, "declared Content-Length " + length);
        contentLength = length;
        remaining = length;
        return length == 0 ? State.DONE : State.LENGTH_BODY;
    }

    private void onChunkSize(String l) throws HttpException {
        int semi = l.indexOf(';');
        String size = (semi >= 0 ? l.substring(0, semi) : l).strip();
        if (!CHUNK_SIZE.matcher(size).matches()) {
            throw new HttpException("invalid chunk size " + quote(l) + " (expected hexadecimal digits)");
        }
        remaining = Long.parseLong(size, 16);
        checkBodySize(bodyBytes + remaining, "a chunk of " + remaining + " bytes after " + bodyBytes);
        state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
    }

    /** Fails with the one-line "body too large" message if {@code total} body bytes are over the limit. */
    private void checkBodySize(long total, String what) throws HttpException {
        if (total > maxBodyBytes) {
            throw new HttpException("the response body from " + url + " is larger than the limit of " + maxBodyBytes
                    + " bytes (" + what + "); raise it with maxBodyBytes (http-get --max-body BYTES)");
        }
    }

    /** {@code 'text'}, cut to 60 characters, control characters shown as escapes: safe on one line. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder("'");
        int max = 60;
        for (int i = 0; i < text.length() && i < max; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c > 0xff) {
                sb.append(String.format("\\x%02x", (int) c & 0xff));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > max) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }
}

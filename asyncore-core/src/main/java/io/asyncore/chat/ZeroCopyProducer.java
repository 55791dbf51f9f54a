package io.asyncore.chat;

import io.asyncore.Dispatcher;
import java.io.IOException;

/**
 * A {@link Producer} that can also move its data to the socket itself, without first copying it
 * into the byte array that {@link #more()} returns: from a file with
 * {@link Dispatcher#sendFile}, or from a direct or memory-mapped buffer with
 * {@link Dispatcher#send(java.nio.ByteBuffer)}. {@link FileProducer} is one; any producer may be.
 *
 * <p>An {@link AsyncChat} that finds one at the head of its output queue calls
 * {@link #transferTo(Dispatcher, int)} instead of {@code more()}, once per write event (one send
 * per {@link AsyncChat#initiateSend()}, as for queued data), with the chat itself as the target
 * and {@link AsyncChat#acOutBufferSize()} as the limit. It first asks {@link #hasRemaining()}, and
 * once that answers false it drops the producer from the queue, closing it if it is
 * {@link AutoCloseable}. Used anywhere else, the producer is a plain {@code Producer}; both paths
 * must draw from one position, so that every byte goes out once whichever path takes it.
 *
 * <h2>Sending</h2>
 * Send only through the target's public send methods ({@code sendFile}, {@code send}), never
 * through its raw channel ({@link Dispatcher#socket()}). Those methods turn a peer that went away
 * into {@link Dispatcher#handleClose()}, send nothing while a connect is pending, and are where a
 * transport that must see every byte (such as TLS) sits: there a zero-copy send falls back to
 * copying, and a producer that went around it would put plaintext on an encrypted stream.
 *
 * <h2>Threading and errors</h2>
 * Called on the loop thread, from {@link AsyncChat#initiateSend()}. An {@link IOException} from
 * {@code transferTo} goes to the chat's {@link Dispatcher#handleError(Throwable)} (by default:
 * log, then close) and the producer stays queued. Data sent this way never sits in the chat's
 * queue, so it does not count toward {@link AsyncChat#pendingBytes()} or the water marks.
 *
 * <pre>{@code
 * final class MappedProducer implements ZeroCopyProducer {
 *     private final ByteBuffer data;   // e.g. FileChannel.map(READ_ONLY, 0, size)
 *     MappedProducer(ByteBuffer data) { this.data = data; }
 *     public boolean hasRemaining() { return data.hasRemaining(); }
 *     public long transferTo(Dispatcher target, int max) throws IOException {
 *         int limit = data.limit();
 *         data.limit(data.position() + Math.min(max, data.remaining()));
 *         try { return target.send(data); } finally { data.limit(limit); }
 *     }
 *     public byte[] more() {
 *         byte[] piece = new byte[Math.min(65536, data.remaining())];
 *         data.get(piece);
 *         return piece;
 *     }
 * }
 * }</pre>
 */
public interface ZeroCopyProducer extends Producer {
    /**
     * True while data is left to send, by either path. Once false the chat drops this producer
     * without calling {@link #transferTo(Dispatcher, int)} again; {@link #more()} would return an
     * empty array.
     */
    boolean hasRemaining();

    /**
     * Sends up to {@code max} bytes of the data not sent yet straight to {@code target}'s socket,
     * through its public send methods (see the class comment), and advances past what was sent.
     *
     * @param target the dispatcher whose socket the data goes to (for a queued producer, its chat)
     * @param max the most bytes to send in this call; at least 1 when the chat calls
     * @return the bytes sent; 0 when the socket takes nothing now (kernel buffer full, connect
     *     still pending, or the peer went away, in which case the target has run {@code handleClose()})
     * @throws IOException if reading the data or sending it fails
     */
    long transferTo(Dispatcher target, int max) throws IOException;
}

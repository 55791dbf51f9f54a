package io.asyncore.chat;

import static io.asyncore.chat.Latin1.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The maximum incoming size, and the terminator search's linear cost. */
@Timeout(30)
class IncomingLimitsTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void closeMap() {
        map.close();
    }

    private class Recording extends AsyncChat {
        final List<String> messages = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        long largestCollected;
        long collectedTotal;

        Recording(SocketChannel sock) {
            super(sock, map);
        }

        @Override
        public void collectIncomingData(byte[] data) throws IOException {
            collectedTotal += data.length;
            super.collectIncomingData(data);
        }

        @Override
        public void foundTerminator() {
            byte[] m = takeIncomingData();
            largestCollected = Math.max(largestCollected, m.length);
            messages.add(Latin1.text(m));
        }

        @Override
        public void handleError(Throwable error) {
            errors.add(error);
            super.handleError(error);
        }
    }

    @Test
    void messageWithoutTerminatorBeyondTheLimitReachesHandleErrorAndClosesTheChannel() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Recording chat = new Recording(pair[0]);
            chat.setTerminator("\n");
            chat.setMaxIncomingSize(1024);
            chat.setAcInBufferSize(100);
            chat.setIgnoreLogTypes(java.util.Set.of("warning", "error"));
            byte[] flood = new byte[2000];
            Arrays.fill(flood, (byte) 'x');
            peer.write(ByteBuffer.wrap(flood));
            RunLoop.until(map, false, chat::isClosed, Duration.ofSeconds(10));
            assertEquals(1, chat.errors.size());
            MessageTooLargeException e = assertInstanceOf(MessageTooLargeException.class, chat.errors.get(0));
            assertEquals(1024, e.limit());
            assertTrue(e.getMessage().contains("1024 bytes") && e.getMessage().contains("setMaxIncomingSize"), e.getMessage());
            assertTrue(chat.collectedTotal <= 1024, "never more than the limit handed over: " + chat.collectedTotal);
            assertEquals(List.of(), chat.messages);
            ByteBuffer sink = ByteBuffer.allocate(16);
            assertEquals(-1, peer.read(sink), "the peer sees the close");
        }
    }

    @Test
    void channelClosesEvenIfHandleErrorDoesNotClose() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            List<Throwable> errors = new ArrayList<>();
            AsyncChat chat = new AsyncChat(pair[0], map) {
                @Override
                public void foundTerminator() {
                }

                @Override
                public void handleError(Throwable error) {
                    errors.add(error); // and does not close
                }
            };
            chat.setTerminator("\r\n");
            chat.setMaxIncomingSize(10);
            peer.write(Latin1.buffer("01234567890"));
            RunLoop.until(map, false, chat::isClosed, Duration.ofSeconds(10));
            assertInstanceOf(MessageTooLargeException.class, errors.get(0));
        }
    }

    @Test
    void messagesOfExactlyTheLimitPassAndTheCountRestartsAfterEachTerminator() throws Exception {
        Recording chat = new Recording(null);
        chat.setTerminator("\n");
        chat.setMaxIncomingSize(10);
        for (int i = 0; i < 5; i++) {
            chat.parse(bytes("0123456789\n"));
        }
        chat.parse(bytes("01234"));
        chat.parse(bytes("56789\n"));
        assertEquals(6, chat.messages.size());
        assertEquals(10, chat.largestCollected);
        assertEquals(List.of(), chat.errors);
        chat.parse(bytes("0123456789x"));
        assertEquals(1, chat.errors.size());
        assertInstanceOf(MessageTooLargeException.class, chat.errors.get(0));
    }

    @Test
    void countAndNoneTerminatorsAreNotLimited() throws Exception {
        Recording chat = new Recording(null);
        chat.setMaxIncomingSize(10);
        chat.setTerminator(100);
        chat.parse(new byte[100]);
        assertEquals(1, chat.messages.size());
        chat.setTerminator(Terminator.NONE);
        chat.parse(new byte[1000]);
        assertEquals(1100, chat.collectedTotal);
        assertEquals(List.of(), chat.errors);
    }

    @Test
    void limitSettersRejectNonPositiveSizes() {
        Recording chat = new Recording(null);
        assertThrows(IllegalArgumentException.class, () -> chat.setMaxIncomingSize(0));
        assertThrows(IllegalArgumentException.class, () -> chat.setAcInBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> chat.setAcOutBufferSize(-5));
        assertEquals(4L << 20, chat.maxIncomingSize());
    }

    /** A long line one byte per read: the search looks at each byte about once, not len(terminator) times. */
    @Test
    void terminatorSearchCostIsLinearWhenALongLineArrivesOneByteAtATime() throws Exception {
        int n = 200_000;
        byte[] one = {'a'};
        for (String t : new String[] {"\r\n", "a".repeat(63) + "b"}) {
            Recording chat = new Recording(null);
            chat.setTerminator(t);
            for (int i = 0; i < n; i++) {
                chat.parse(one);
            }
            assertTrue(chat.scanSteps() <= 2L * n, t.length() + "-byte terminator: " + chat.scanSteps() + " search steps for " + n + " bytes");
            long held = t.length() == 2 ? 0 : 63;
            assertEquals(n - held, chat.collectedTotal, "everything but a possible terminator start is handed over");
            chat.parse(bytes(t.length() == 2 ? "\r\n" : "b"));
            assertEquals(1, chat.messages.size());
            assertEquals(t.length() == 2 ? n : n - 63, chat.messages.get(0).length());
        }
    }

    @Test
    void searchStepsGrowLinearlyWithTheStreamForEveryReadSize() throws Exception {
        byte[] stream = bytes("ab".repeat(5000) + "aab" + "a".repeat(10_000) + "aab");
        for (int readSize : new int[] {1, 2, 3, 7, 64, stream.length}) {
            Recording chat = new Recording(null);
            chat.setTerminator("aab");
            for (int i = 0; i < stream.length; i += readSize) {
                chat.parse(Arrays.copyOfRange(stream, i, Math.min(stream.length, i + readSize)));
            }
            assertEquals(2, chat.messages.size(), "read size " + readSize);
            assertTrue(chat.scanSteps() <= 2L * stream.length, "read size " + readSize + ": " + chat.scanSteps() + " steps");
        }
    }
}

package io.asyncore.chat;

import static io.asyncore.chat.Latin1.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** handleRead's rules from SEMANTICS.md 2.5, one at a time, plus Terminator itself. */
@Timeout(30)
class IncomingDataTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void closeMap() {
        map.close();
    }

    /** Records "c:data" and "f" (with the terminator seen inside foundTerminator), then runs onFound. */
    private class Events extends AsyncChat {
        final List<String> events = new ArrayList<>();
        final List<Terminator> seenInFound = new ArrayList<>();
        Consumer<Events> onFound = e -> { };

        Events(SocketChannel sock) {
            super(sock, map);
        }

        @Override
        public void collectIncomingData(byte[] data) {
            events.add("c:" + Latin1.text(data));
        }

        @Override
        public void foundTerminator() {
            events.add("f");
            seenInFound.add(getTerminator());
            onFound.accept(this);
        }
    }

    @Test
    void severalMessagesInOneReadEachGetTheirFoundTerminator() throws IOException {
        Events chat = new Events(null);
        chat.setTerminator("\n");
        chat.parse(bytes("a\nbb\nccc\n"));
        assertEquals(List.of("c:a", "f", "c:bb", "f", "c:ccc", "f"), chat.events);
    }

    @Test
    void terminatorSetInsideFoundTerminatorAppliesToTheRestOfTheSameRead() throws IOException {
        Events chat = new Events(null);
        chat.setTerminator("\r\n");
        chat.onFound = c -> {
            if (c.events.size() == 2) {
                c.setTerminator(3); // header line, then a 3-byte body
            } else if (c.events.size() == 4) {
                c.setTerminator("\r\n");
            }
        };
        chat.parse(bytes("LEN\r\nxyzend\r\n"));
        assertEquals(List.of("c:LEN", "f", "c:xyz", "f", "c:end", "f"), chat.events);
    }

    @Test
    void countTerminatorCountsDownIsZeroInsideFoundTerminatorAndThenCollectsEverything() throws IOException {
        Events chat = new Events(null);
        chat.setTerminator(5);
        chat.parse(bytes("ab"));
        assertEquals(Terminator.count(3), chat.getTerminator());
        chat.parse(bytes("cdefg"));
        assertEquals(List.of(Terminator.count(0)), chat.seenInFound);
        assertEquals(List.of("c:ab", "c:cde", "f", "c:fg"), chat.events, "a spent count acts like no terminator");
    }

    @Test
    void dataBeforeAPartialTerminatorIsHandedOverAtOnce() throws IOException {
        Events chat = new Events(null);
        chat.setTerminator("\r\n");
        chat.parse(bytes("hello\r"));
        assertEquals(List.of("c:hello"), chat.events);
        chat.parse(bytes("\n"));
        assertEquals(List.of("c:hello", "f"), chat.events);
    }

    @Test
    void emptyMessagesAreReportedWithoutEmptyData() throws IOException {
        Events chat = new Events(null);
        chat.setTerminator("\n");
        chat.parse(bytes("\n\n"));
        assertEquals(List.of("f", "f"), chat.events);
    }

    @Test
    void terminatorIsNoneUntilSetAndEverythingIsCollected() throws IOException {
        Events chat = new Events(null);
        assertSame(Terminator.NONE, chat.getTerminator());
        chat.parse(bytes("a\nb"));
        assertEquals(List.of("c:a\nb"), chat.events);
    }

    @Test
    void parsingGoesOnAfterCloseInsideFoundTerminatorAsInPython() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        try (SocketChannel peer = pair[1]) {
            Events chat = new Events(pair[0]);
            chat.setTerminator("\n");
            chat.onFound = AsyncChat::close;
            chat.parse(bytes("a\nb\n"));
            assertEquals(List.of("c:a", "f", "c:b", "f"), chat.events);
            assertTrue(chat.isClosed());
        }
    }

    @Test
    void discardBuffersInsideFoundTerminatorDropsTheRestOfTheRead() throws IOException {
        Events chat = new Events(null);
        chat.setTerminator("\n");
        chat.onFound = AsyncChat::discardBuffers;
        chat.parse(bytes("a\nb\n"));
        assertEquals(List.of("c:a", "f"), chat.events);
    }

    @Test
    void readingAgainFromInsideFoundTerminatorFailsClearly() {
        Events chat = new Events(null);
        chat.setTerminator("\n");
        chat.onFound = c -> {
            try {
                c.parse(bytes("nested\n"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> chat.parse(bytes("a\nb\n")));
        assertTrue(e.getMessage().contains("foundTerminator()"), e.getMessage());
    }

    @Test
    void bytesHeldBackAsAPossibleTerminatorStartAreNotDeliveredAtEndOfStream() throws Exception {
        SocketChannel[] pair = SocketPairs.loopback();
        Events chat = new Events(pair[0]);
        chat.setTerminator("\r\n");
        try (SocketChannel peer = pair[1]) {
            peer.write(Latin1.buffer("abc\r"));
        }
        RunLoop.until(map, false, chat::isClosed, Duration.ofSeconds(10));
        assertEquals(List.of("c:abc"), chat.events);
    }

    @Test
    void defaultCollectBuffersTheMessageForTakeIncomingData() throws IOException {
        List<String> messages = new ArrayList<>();
        AsyncChat chat = new AsyncChat(map) {
            @Override
            public void foundTerminator() {
                messages.add(Latin1.text(takeIncomingData()));
            }
        };
        chat.setTerminator("aab");
        for (byte b : bytes("xaaaab--aab")) {
            chat.parse(new byte[] {b});
        }
        assertEquals(List.of("xaa", "--"), messages);
    }

    @Test
    void textTerminatorsUseTheChannelEncodingLatin1ByDefault() {
        Events chat = new Events(null);
        chat.setTerminator("\u00e9");
        assertArrayEquals(new byte[] {(byte) 0xe9}, chat.getTerminator().bytes());
        chat.setEncoding(StandardCharsets.UTF_8);
        chat.setTerminator("\u00e9");
        assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9}, chat.getTerminator().bytes());
    }

    @Test
    void terminatorValuesDescribeThemselvesAndRejectMisuse() {
        assertEquals("b\"\\r\\n\"", Terminator.of(bytes("\r\n")).toString());
        assertEquals("count(5)", Terminator.count(5).toString());
        assertEquals("none", Terminator.NONE.toString());
        assertSame(Terminator.NONE, Terminator.of(new byte[0]));
        assertEquals(Terminator.of("ab", StandardCharsets.US_ASCII), Terminator.of(bytes("ab")));
        assertNotEquals(Terminator.count(1), Terminator.of(bytes("\u0001")));
        assertEquals(-1, Terminator.of(bytes("x")).count());
        assertNull(Terminator.count(2).bytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Terminator.count(-3));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
        Events chat = new Events(null);
        NullPointerException npe = assertThrows(NullPointerException.class, () -> chat.setTerminator((byte[]) null));
        assertTrue(npe.getMessage().contains("Terminator.NONE"), npe.getMessage());
    }

    @Test
    void findPrefixAtEndAgreesWithPythonsDefinition() {
        Random rnd = new Random(5);
        for (int i = 0; i < 2000; i++) {
            byte[] h = new byte[rnd.nextInt(8)];
            byte[] n = new byte[1 + rnd.nextInt(5)];
            for (int j = 0; j < h.length; j++) {
                h[j] = (byte) ('a' + rnd.nextInt(2));
            }
            for (int j = 0; j < n.length; j++) {
                n[j] = (byte) ('a' + rnd.nextInt(2));
            }
            if (PythonModel.indexOf(h, n) < 0) {
                assertEquals(PythonModel.prefixAtEnd(h, n), AsyncChat.findPrefixAtEnd(h, n),
                        Latin1.text(h) + " / " + Latin1.text(n));
            }
        }
    }
}

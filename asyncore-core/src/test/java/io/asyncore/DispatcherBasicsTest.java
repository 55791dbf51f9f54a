package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** test_asyncore's HelperFunctionTests and DispatcherTests: defaults, repr, logging, close_all, tracebacks. */
@Timeout(30)
class DispatcherBasicsTest {
    @Test
    void aDefaultDispatcherIsReadableAndWritable() {
        Dispatcher d = new Dispatcher(new SocketMap());
        assertTrue(d.readable());
        assertTrue(d.writable());
    }

    @Test
    void toStringLooksLikePythonsRepr() {
        Dispatcher d = new Dispatcher(new SocketMap());
        assertEquals("<io.asyncore.Dispatcher at 0x" + Integer.toHexString(System.identityHashCode(d)) + ">", d.toString());
    }

    @Test
    void logWritesTheMessageWithALogPrefix() {
        try (LogCapture log = new LogCapture()) {
            Dispatcher d = new Dispatcher(new SocketMap());
            d.log("Lovely spam! Wonderful spam!");
            d.log("I don't like spam!");
            assertEquals(List.of("log: Lovely spam! Wonderful spam!", "log: I don't like spam!"), log.messages());
        }
    }

    @Test
    void logInfoPrefixesTheTypeAndMapsItToALevel() {
        try (LogCapture log = new LogCapture()) {
            Dispatcher d = new Dispatcher(new SocketMap());
            d.logInfo("Have you got anything without spam?", "EGGS");
            d.logInfo("Why can't she have egg bacon spam and sausage?", "info");
            d.logInfo("THAT'S got spam in it!", "error");
            assertEquals(List.of("EGGS: Have you got anything without spam?",
                    "info: Why can't she have egg bacon spam and sausage?",
                    "error: THAT'S got spam in it!"), log.messages());
            assertEquals(List.of(Level.INFO, Level.INFO, Level.SEVERE),
                    log.records().stream().map(r -> r.getLevel()).toList());
        }
    }

    @Test
    void unhandledEventsLogWarningsWhichAreIgnoredByDefault() throws IOException {
        try (LogCapture log = new LogCapture()) {
            Dispatcher d = new Dispatcher(new SocketMap());
            d.handleExpt();
            d.handleRead();
            d.handleWrite();
            d.handleConnect();
            assertEquals(List.of(), log.messages());

            d.setIgnoreLogTypes(Set.of());
            d.handleExpt();
            d.handleRead();
            d.handleWrite();
            d.handleConnect();
            assertEquals(List.of("warning: unhandled incoming priority event", "warning: unhandled read event",
                    "warning: unhandled write event", "warning: unhandled connect event"), log.messages());
        }
    }

    @Test
    void handleErrorLogsACompactTracebackOfTypeErrorThenCallsHandleClose() {
        List<String> logged = new ArrayList<>();
        List<String> calls = new ArrayList<>();
        Dispatcher d = new Dispatcher(new SocketMap()) {
            @Override
            public void logInfo(String message, String type) {
                logged.add(type + ": " + message);
            }

            @Override
            public void handleClose() {
                calls.add("handleClose");
            }
        };
        d.handleError(thrower());
        assertEquals(List.of("handleClose"), calls);
        assertEquals(1, logged.size());
        String line = logged.get(0);
        assertTrue(Pattern.matches("error: uncaptured exception, closing channel <.* at 0x[0-9a-f]+> "
                + "\\(java.lang.ArithmeticException:spam \\[DispatcherBasicsTest.java\\|thrower\\|\\d+\\].*\\)", line), line);
    }

    @Test
    void handleErrorSurvivesAToStringThatThrows() {
        List<String> logged = new ArrayList<>();
        Dispatcher d = new Dispatcher(new SocketMap()) {
            @Override
            public String toString() {
                throw new IllegalStateException("broken toString");
            }

            @Override
            public void logInfo(String message, String type) {
                logged.add(message);
            }

            @Override
            public void handleClose() {
            }
        };
        d.handleError(new IOException("x"));
        assertTrue(logged.get(0).startsWith("uncaptured exception, closing channel <toString() failed for object at 0x"),
                logged.get(0));
    }

    private static ArithmeticException thrower() {
        try {
            throw new ArithmeticException("spam");
        } catch (ArithmeticException e) {
            return e;
        }
    }

    @Test
    void compactTracebackNamesTheTypeTheMessageAndTheFrames() {
        ArithmeticException e = thrower();
        String tb = Asyncore.compactTraceback(e);
        StackTraceElement top = e.getStackTrace()[0];
        assertTrue(tb.startsWith("java.lang.ArithmeticException:spam [DispatcherBasicsTest.java|thrower|"
                + top.getLineNumber() + "]"), tb);
    }

    @Test
    void closeAllClosesEveryDispatcherAndEmptiesTheMap() throws IOException {
        SocketMap map = new SocketMap();
        List<Dispatcher> ds = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Dispatcher d = new Dispatcher(map);
            d.createSocket();
            ds.add(d);
        }
        assertEquals(10, map.size());
        Asyncore.closeAll(map, false);
        assertTrue(map.isEmpty());
        for (Dispatcher d : ds) {
            assertFalse(d.socket().isOpen());
            assertTrue(d.isClosed());
        }
        map.close();
    }

    @Test
    void closeAllWithoutAMapClosesTheGlobalMap() throws IOException {
        Dispatcher d = new Dispatcher();
        d.createSocket();
        assertSame(Asyncore.socketMap(), d.map());
        assertTrue(Asyncore.socketMap().dispatchers().contains(d));
        Asyncore.closeAll();
        assertTrue(Asyncore.socketMap().isEmpty());
        assertFalse(d.socket().isOpen());
    }

    @Test
    void closeAllPropagatesAFailingCloseUnlessTold() throws IOException {
        SocketMap map = new SocketMap();
        Dispatcher failing = new Dispatcher(map) {
            @Override
            public void close() {
                super.close();
                throw new IllegalStateException("close failed");
            }
        };
        failing.createSocket();
        assertThrows(IllegalStateException.class, () -> Asyncore.closeAll(map, false));
        Dispatcher again = new Dispatcher(map) {
            @Override
            public void close() {
                super.close();
                throw new IllegalStateException("close failed");
            }
        };
        again.createSocket();
        Asyncore.closeAll(map, true);
        assertTrue(map.isEmpty());
        map.close();
    }

    @Test
    void closeIsIdempotentAndSafeWithoutASocket() throws IOException {
        SocketMap map = new SocketMap();
        Dispatcher none = new Dispatcher(map);
        none.close();
        none.close();
        Dispatcher d = new Dispatcher(map);
        d.createSocket();
        SelectableChannel ch = d.socket();
        d.close();
        d.close();
        assertFalse(ch.isOpen());
        assertTrue(map.isEmpty());
        map.close();
    }
}

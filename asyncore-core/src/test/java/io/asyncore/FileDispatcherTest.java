package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** test_asyncore's FileWrapperTest, on pipes and on a process's output. */
@Timeout(30)
class FileDispatcherTest {
    private static final byte[] TEXT = "It's not dead, it's sleeping!".getBytes(StandardCharsets.US_ASCII);
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() {
        map.close();
    }

    /** Collects everything read until end of stream, then closes. */
    static class Collector extends FileDispatcher {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        boolean writeEvents;

        Collector(FileWrapper file, SocketMap map) {
            super(file, map);
        }

        @Override
        public void handleRead() throws IOException {
            data.writeBytes(recv(29));
        }

        @Override
        public void handleWrite() {
            writeEvents = true;
        }

        @Override
        public void handleClose() {
            close();
        }
    }

    @Test
    void aPipeIsReadUntilEndOfStreamAndThenClosed() throws IOException {
        Pipe pipe = Pipe.open();
        pipe.sink().write(ByteBuffer.wrap(TEXT));
        pipe.sink().close();
        Collector c = new Collector(new FileWrapper(pipe.source()), map);
        assertTrue(c.isConnected());
        RunLoop.until(map, true, map::isEmpty);
        assertEquals(new String(TEXT, StandardCharsets.US_ASCII), c.data.toString(StandardCharsets.US_ASCII));
        assertFalse(c.writeEvents, "a pipe's read end never gets write events");
        assertFalse(pipe.source().isOpen());
        assertTrue(c.file().isClosed());
    }

    @Test
    void aPipesWriteEndIsWrittenWhenWritable() throws IOException {
        Pipe pipe = Pipe.open();
        FileDispatcher writer = new FileDispatcher(new FileWrapper(pipe.sink()), map) {
            @Override
            public void handleWrite() throws IOException {
                send(TEXT);
                close();
            }

            @Override
            public void handleRead() {
                throw new AssertionError("a pipe's write end never gets read events");
            }
        };
        RunLoop.until(map, false, writer::isClosed);
        ByteBuffer got = ByteBuffer.allocate(64);
        while (pipe.source().read(got) >= 0) {
            // read to end of stream
        }
        assertEquals(new String(TEXT, StandardCharsets.US_ASCII), new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII));
        pipe.source().close();
    }

    @Test
    void aProcessOutputIsBridgedOntoTheLoop() throws Exception {
        Process p = new ProcessBuilder("printf", "%s", new String(TEXT, StandardCharsets.US_ASCII)).start();
        try {
            Collector c = new Collector(FileWrapper.bridge(p.getInputStream()), map);
            RunLoop.until(map, false, map::isEmpty);
            assertEquals(new String(TEXT, StandardCharsets.US_ASCII), c.data.toString(StandardCharsets.US_ASCII));
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        } finally {
            p.destroy();
        }
    }

    @Test
    void closingAWrapperTwiceIsHarmlessAndClosesTheStream() throws IOException {
        boolean[] closed = {false};
        InputStream in = new InputStream() {
            @Override
            public int read() {
                return -1;
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        FileWrapper w = FileWrapper.bridge(in);
        w.close();
        w.close();
        assertTrue(w.isClosed());
        assertTrue(closed[0]);
    }

    @Test
    void aChannelThatCanBeNeitherReadNorWrittenIsRefused() throws IOException {
        try (var server = java.nio.channels.ServerSocketChannel.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FileWrapper(server));
            assertTrue(e.getMessage().contains("neither read nor written"), e.getMessage());
        }
    }
}

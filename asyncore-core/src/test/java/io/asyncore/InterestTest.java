package io.asyncore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.SocketPairs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which dispatchers the loop asks readable()/writable() on every pass, and which only on announcement. */
@Timeout(30)
class InterestTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void tearDown() throws IOException {
        map.close();
    }

    /** [0] the accepted side, [1] the connecting side. */
    private static SocketChannel[] connectedPair() throws IOException {
        SocketChannel[] p = SocketPairs.loopback();
        return new SocketChannel[] {p[1], p[0]};
    }

    @Test
    void aDispatcherThatOverridesAPredicateIsAskedOnEveryPass() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        Dispatcher d = new Dispatcher(connectedPair()[0], map) {
            @Override
            public boolean readable() {
                asked.incrementAndGet();
                return false;
            }

            @Override
            public boolean writable() {
                return false;
            }
        };
        assertFalse(d.announcesInterest());
        Asyncore.loop(Duration.ZERO, false, map, 5);
        assertEquals(5, asked.get());
    }

    @Test
    void anAnnouncingDispatcherIsAskedOnlyAfterItAnnouncesAChange() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        class Announcing extends Dispatcher {
            Announcing(SocketChannel sock) {
                super(sock, map);
            }

            @Override
            protected boolean announcesInterest() {
                return true;
            }

            @Override
            public boolean readable() {
                asked.incrementAndGet();
                return false;
            }

            @Override
            public boolean writable() {
                return false;
            }

            void changed() {
                interestChanged();
            }
        }
        Announcing d = new Announcing(connectedPair()[0]);
        Asyncore.loop(Duration.ZERO, false, map, 5);
        assertEquals(1, asked.get(), "asked once, when it joined the map");
        d.changed();
        d.changed();
        Asyncore.loop(Duration.ZERO, false, map, 5);
        assertEquals(2, asked.get(), "asked once more after announcing, however often it announced");
    }

    @Test
    void theLibrarysOwnClassesAnnounceUnlessASubclassOverridesAPredicate() throws IOException {
        assertTrue(new Dispatcher(map).announcesInterest());
        assertTrue(new DispatcherWithSend(map) {
            @Override
            public void handleRead() {
            }
        }.announcesInterest());
        assertFalse(new DispatcherWithSend(map) {
            @Override
            public boolean writable() {
                return true;
            }
        }.announcesInterest());
        assertTrue(new FileDispatcher(map).announcesInterest());
    }

    @Test
    void anIdleDispatcherWithSendGetsNoWriteEventsOnceItsDataIsSent() throws IOException {
        SocketChannel[] pair = connectedPair();
        AtomicInteger writes = new AtomicInteger();
        DispatcherWithSend d = new DispatcherWithSend(pair[0], map) {
            @Override
            public void handleWrite() throws IOException {
                writes.incrementAndGet();
                super.handleWrite();
            }

            @Override
            public void handleRead() throws IOException {
                recv(100);
            }
        };
        d.send(new byte[10]);
        Asyncore.loop(Duration.ZERO, false, map, 20);
        assertEquals(0, writes.get(), "everything went out at once, so no write interest");
        ByteBuffer got = ByteBuffer.allocate(10);
        pair[1].read(got);
        assertEquals(10, got.position());
        pair[1].close();
    }
}

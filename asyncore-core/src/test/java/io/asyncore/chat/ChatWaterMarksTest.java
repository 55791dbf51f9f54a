package io.asyncore.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.testing.RunLoop;
import io.asyncore.testing.SocketPairs;
import io.asyncore.Asyncore;
import io.asyncore.SocketMap;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AsyncChat's output queue is bounded: a peer that sends requests and never reads the answers. */
@Timeout(60)
class ChatWaterMarksTest {
    private final SocketMap map = new SocketMap();

    @AfterEach
    void closeMap() {
        map.close();
    }

    /** Answers every line with a 4 KiB reply, and records the largest queue it saw. */
    private class BigReplies extends AsyncChat {
        final byte[] reply = new byte[4096];
        long maxQueued;
        long lines;

        BigReplies(SocketChannel sock) {
            super(sock, map);
            setTerminator("\n");
            Arrays.fill(reply, (byte) 'r');
        }

        @Override
        public void foundTerminator() throws IOException {
            takeIncomingData();
            lines++;
            push(reply);
            maxQueued = Math.max(maxQueued, pendingBytes());
        }
    }

    /** Runs the loop while the non-blocking {@code peer} reads and discards, until {@code done}. */
    private void readUntil(SocketChannel peer, java.util.function.BooleanSupplier done) {
        ByteBuffer sink = ByteBuffer.allocate(1 << 20);
        RunLoop.until(map, false, () -> {
            sink.clear();
            try {
                peer.read(sink);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return done.getAsBoolean();
        }, Duration.ofSeconds(20));
    }

    @Test
    void aPeerThatDoesNotReadStopsTheChatReadingAndTheQueueStaysNearTheHighMark() throws IOException {
        SocketChannel[] p = SocketPairs.loopback();
        try (SocketChannel peer = p[0]) {
            p[1].configureBlocking(false);
            p[1].setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
            BigReplies chat = new BigReplies(p[1]);
            peer.configureBlocking(false);
            ByteBuffer requests = ByteBuffer.allocate(64 * 1024);
            byte[] line = "0123456789abcde\n".getBytes();
            while (requests.hasRemaining()) {
                requests.put(line);
            }
            // The peer writes requests as fast as the connection takes them and reads nothing.
            for (int pass = 0; pass < 4000 && !chat.isReadPaused(); pass++) {
                requests.clear();
                peer.write(requests);
                Asyncore.loop(Duration.ofMillis(2), false, map, 1);
            }
            assertTrue(chat.isReadPaused(), "reading paused once the replies passed the high mark");
            assertFalse(chat.readable());
            for (int pass = 0; pass < 50; pass++) {
                requests.clear();
                peer.write(requests);
                Asyncore.loop(Duration.ofMillis(1), false, map, 1);
            }
            // One read is at most 64 KiB of requests: 4,096 lines, each answered by 4 KiB.
            long oneRead = (long) chat.acInBufferSize() / line.length * chat.reply.length;
            assertTrue(chat.maxQueued <= AsyncChat.DEFAULT_HIGH_WATER_MARK + oneRead,
                    "queued at most the high mark plus one read's replies: " + chat.maxQueued);
            long linesWhilePaused = chat.lines;
            Asyncore.loop(Duration.ofMillis(20), false, map, 1);
            assertEquals(linesWhilePaused, chat.lines, "no request is read while paused");

            // The peer reads the replies: the queue drains and reading resumes.
            readUntil(peer, () -> !chat.isReadPaused());
            assertTrue(chat.pendingBytes() <= AsyncChat.DEFAULT_LOW_WATER_MARK, "resumed at the low mark: " + chat.pendingBytes());
            assertTrue(chat.readable());
        }
    }

    @Test
    void theQueuedByteCountFollowsPushesSendsAndDiscards() throws IOException {
        SocketChannel[] p = SocketPairs.loopback();
        try (SocketChannel peer = p[0]) {
            p[1].configureBlocking(false);
            BigReplies chat = new BigReplies(p[1]);
            chat.setWaterMarks(0, 1 << 30);
            byte[] big = new byte[8 << 20];
            chat.push(big);
            assertTrue(chat.pendingBytes() > 0 && chat.pendingBytes() <= big.length, "queued " + chat.pendingBytes());
            chat.pushWithProducer(new SimpleProducer(new byte[1000], 100));
            chat.setWaterMarks(0, 1024);
            assertTrue(chat.isReadPaused(), "a lower high mark pauses at once");
            chat.discardBuffers();
            assertEquals(0, chat.pendingBytes());
            assertFalse(chat.isReadPaused(), "an empty queue resumes reading");
            assertThrows(IllegalArgumentException.class, () -> chat.setWaterMarks(5, 4));
            // Drain fully: everything pushed, counted down to zero as it goes out.
            chat.push(new byte[300_000]);
            peer.configureBlocking(false);
            readUntil(peer, () -> !chat.writable());
            assertEquals(0, chat.pendingBytes());
        }
    }
}

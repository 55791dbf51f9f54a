package io.asyncore;

import java.util.List;

/**
 * A leak found by leak detection: a dispatcher (or an object that owns one, such as the coroutine
 * layer's socket) became unreachable while its channel was still open, without {@code close()}.
 * By the time this report exists the channel has been closed (or its close posted to the loop).
 * See {@link LoopHealthListener#leaked} and the system property {@code io.asyncore.leakDetection}.
 *
 * @param leaked the class of the object that was dropped
 * @param channel the channel it left open, as the channel's {@code toString()} (addresses included)
 * @param createdAt where it was given its channel: the constructor, {@code createSocket()} or
 *     {@code setSocket()} call and its callers, innermost first
 */
public record LeakReport(String leaked, String channel, List<StackTraceElement> createdAt) {
    /** Copies {@code createdAt}. */
    public LeakReport {
        createdAt = List.copyOf(createdAt);
    }
}

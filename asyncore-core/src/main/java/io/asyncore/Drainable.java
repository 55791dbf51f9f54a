package io.asyncore;

/**
 * A dispatcher that can wind down when its {@link LoopGroup} stops: the group calls {@link #drain()}
 * on the dispatcher's loop thread when a stop begins, after closing the listeners, and closes the
 * dispatcher only if it is still open at the deadline.
 *
 * <p>Without it a connection finishes during the grace period only if it was going to anyway.
 * With it, a server can finish the reply in progress and close cleanly, for example with
 * {@code closeWhenDone()}, or with {@link Dispatcher#shutdownOutput()} once its output is sent,
 * reading on until the peer closes (closing with unread input makes the kernel reset the
 * connection and drop what it had not sent yet).
 */
public interface Drainable {
    /** The group is stopping: finish the work in hand and close. Called once, on the loop thread. */
    void drain();
}

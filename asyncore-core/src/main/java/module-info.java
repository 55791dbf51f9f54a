/**
 * asyncore-core: Python's {@code asyncore} and {@code asynchat} on Java NIO.
 *
 * <p>Exports the API packages only; {@code io.asyncore.internal} stays inside the module.
 */
module io.asyncore {
    exports io.asyncore;
    exports io.asyncore.chat;

    // The loop's JDK Flight Recorder events (io.asyncore.internal.LoopEvents).
    requires jdk.jfr;
}

package io.asyncore.samples.cli;

/** How a client subcommand (or the time server) is written: a callback dispatcher, or a suspend function. */
public enum ClientStyle {
    /** A {@code Dispatcher} subclass driven by the loop's events. */
    callback,
    /** A suspend function on {@code asyncore-coroutines}' sockets. */
    coroutine
}

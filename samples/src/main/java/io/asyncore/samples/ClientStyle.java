package io.asyncore.samples;

/** How a client subcommand is written: a callback dispatcher, or a suspend function. */
enum ClientStyle {
    /** A {@code Dispatcher} subclass driven by the loop's events. */
    callback,
    /** A suspend function on {@code asyncore-coroutines}' sockets. */
    coroutine
}

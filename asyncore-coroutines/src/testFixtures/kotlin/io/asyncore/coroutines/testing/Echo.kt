package io.asyncore.coroutines.testing

import io.asyncore.coroutines.SuspendingSocket

/** The coroutine echo: writes back what [socket] reads, [readSize] bytes at most a time, until end of stream. Does not close. */
suspend fun echo(socket: SuspendingSocket, readSize: Int = 4096) {
    while (true) {
        val data = socket.readUpTo(readSize) ?: return
        socket.write(data)
    }
}

package io.asyncore.coroutines

import java.io.IOException

/**
 * The socket or server was closed, by [SuspendingSocket.close], [SuspendingServer.close], the map
 * being closed, or a failure that closed it ([cause] then tells which). Thrown to the coroutine
 * that was waiting on it and to any later call.
 */
public class SocketClosedException(message: String, cause: Throwable? = null) : IOException(message, cause)

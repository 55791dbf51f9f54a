package io.asyncore.consumer.kotlin

import io.asyncore.SocketMap
import io.asyncore.consumer.ModuleCheck
import io.asyncore.coroutines.SuspendingServer
import io.asyncore.coroutines.SuspendingSocket
import io.asyncore.coroutines.runUntilComplete
import java.net.InetSocketAddress
import java.net.SocketAddress
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout

/**
 * The README's Kotlin quick start (a Flow echo server and a suspending client on one map), run as a
 * user's program on the module path. Prints one line when the echo came back; fails otherwise.
 */
fun main() {
    ModuleCheck.requireNamed(SocketMap::class.java, "io.asyncore")
    ModuleCheck.requireNamed(SuspendingSocket::class.java, "io.asyncore.coroutines")
    val reply = SocketMap().use { map ->
        map.runUntilComplete {
            withTimeout(20_000) {
                val listening = CompletableDeferred<SocketAddress>()
                val server = launch {
                    val socket = SuspendingServer.serve(InetSocketAddress("127.0.0.1", 0)) { listening.complete(it) }.first()
                    socket.use {
                        it.write(it.readUntil("\n", maxLength = 1024))
                        it.write("\n".encodeToByteArray())
                        it.flush()
                    }
                }
                SuspendingSocket.connect(listening.await()).use { socket ->
                    socket.write("hello from kotlin\n".encodeToByteArray())
                    socket.flush()
                    socket.readUntil("\n", maxLength = 1024).decodeToString().also { server.join() }
                }
            }
        }
    }
    check(reply == "hello from kotlin") { "echo differs: '$reply'" }
    println("kotlin quick start on the module path: echoed '$reply'")
}

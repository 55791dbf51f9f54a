package io.asyncore.benchmarks.server

import kotlin.system.exitProcess

/**
 * A placeholder for the coroutine datagram echo server (issue 14), which the branch `udp-coroutine` writes
 * in this file with the suspending datagram socket: until that is merged, it only says so and exits, so
 * `run.sh` records `udp-coroutine` as not started and the report says the target was not measured.
 */
object CoroutineUdpEchoServer {
    private const val NAME = "CoroutineUdpEchoServer"

    @JvmStatic
    fun main(args: Array<String>) {
        ServerArgs.address(args, NAME) // the same usage errors as every server
        System.err.println("$NAME: a placeholder; the coroutine datagram echo comes with the suspending datagram socket (branch udp-coroutine)")
        exitProcess(3)
    }
}

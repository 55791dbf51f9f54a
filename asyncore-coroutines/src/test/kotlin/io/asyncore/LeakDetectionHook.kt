package io.asyncore

/**
 * Runs [block] with leak detection watching every dispatcher and socket that gets a channel
 * meanwhile (the core's package-private test hook; in this package to reach it), then restores
 * the mode. The system property `io.asyncore.leakDetection=full` does the same for a whole JVM.
 */
fun <T> withFullLeakDetection(block: () -> T): T {
    val before = LeakDetection.setMode(LeakDetection.Mode.FULL)
    try {
        return block()
    } finally {
        LeakDetection.setMode(before)
    }
}

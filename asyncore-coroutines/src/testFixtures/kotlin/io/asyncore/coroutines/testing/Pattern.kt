package io.asyncore.coroutines.testing

/** [size] bytes that depend on their position and [seed], so a lost, repeated or foreign chunk shows. */
fun pattern(size: Int, seed: Int = 0): ByteArray = ByteArray(size) { ((it * 31 + seed * 7) and 0xff).toByte() }

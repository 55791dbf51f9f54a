package io.asyncore.coroutines

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.booleans.shouldBeFalse
import io.kotest.matchers.booleans.shouldBeTrue
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import java.io.IOException
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/** The one waiter slot under every suspended read, write, connect and accept. */
class WaiterSpec : FunSpec({
    timeout = 30_000

    test("wake resumes the waiting coroutine once, right inside the call, and tells the interest both times") {
        loopTest { map ->
            var changes = 0
            val waiter = Waiter(map, Interest { changes++ })
            var resumed = 0
            val job = launch(start = CoroutineStart.UNDISPATCHED) {
                waiter.await()
                resumed++
            }
            waiter.isWaiting.shouldBeTrue()
            changes shouldBe 1
            waiter.wake().shouldBeTrue()
            resumed shouldBe 1 // a coroutine of this loop runs on inside wake(), as a callback handler would
            changes shouldBe 2
            waiter.isWaiting.shouldBeFalse()
            waiter.wake().shouldBeFalse()
            waiter.fail { error("no one waits, so no exception is made") }
            job.join()
            resumed shouldBe 1
            changes shouldBe 2
        }
    }

    test("fail resumes the waiting coroutine with the exception, once, and a later wake finds no one") {
        loopTest { map ->
            val waiter = Waiter(map, null)
            val failure = async(start = CoroutineStart.UNDISPATCHED) { runCatching { waiter.await() }.exceptionOrNull() }
            waiter.fail { IOException("gone") }
            waiter.isWaiting.shouldBeFalse()
            waiter.wake().shouldBeFalse()
            failure.await().shouldBeInstanceOf<IOException>().message shouldBe "gone"
        }
    }

    test("cancelled on the loop, the wait leaves the slot at once and the interest follows") {
        loopTest { map ->
            var changes = 0
            val waiter = Waiter(map, Interest { changes++ })
            val job = launch(start = CoroutineStart.UNDISPATCHED) { waiter.await() }
            job.cancel()
            waiter.isWaiting.shouldBeFalse()
            changes shouldBe 2
            waiter.wake().shouldBeFalse()
            job.join()
            job.isCancelled.shouldBeTrue()
        }
    }

    test("cancelled from another thread, the wait leaves the slot on the loop") {
        loopTest { map ->
            var changes = 0
            val waiter = Waiter(map, Interest { changes++ })
            val job = launch(start = CoroutineStart.UNDISPATCHED) { waiter.await() }
            withContext(Dispatchers.Default) { job.cancel() }
            awaitCondition { !waiter.isWaiting }
            changes shouldBe 2
            waiter.wake().shouldBeFalse()
            job.join()
            job.isCancelled.shouldBeTrue()
        }
    }

    test("the slot takes a new wait after a woken one") {
        loopTest { map ->
            val waiter = Waiter(map, null)
            repeat(3) {
                var resumed = false
                launch(start = CoroutineStart.UNDISPATCHED) {
                    waiter.await()
                    resumed = true
                }
                waiter.wake().shouldBeTrue()
                resumed.shouldBeTrue()
            }
        }
    }
})

/**
 * Test fixtures shared by every module's tests: drive a loop until a condition holds, connected
 * socket pairs, the documentation's echo handler and server, and a view of a map's selector.
 *
 * <p>They live in asyncore-core's test sources (so the core's own tests use them) and are
 * published as the {@code test-fixtures} jar of asyncore-core, which the other modules' tests
 * depend on. Nothing here is part of the library's API. A fixture fails a test by throwing
 * {@link java.lang.AssertionError}, so it works under JUnit and Kotest alike.
 */
package io.asyncore.testing;

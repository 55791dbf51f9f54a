package io.asyncore.samples;

/** Where the coroutine-style samples stand. */
final class CoroutineStyle {
    static final String NOT_AVAILABLE = "the coroutine style is not available yet: it needs the asyncore-coroutines "
            + "module, which this build does not include; use --style callback";

    private CoroutineStyle() {
    }
}

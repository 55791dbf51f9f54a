package io.asyncore.benchmarks.server;

/**
 * How the TLS echo servers report a failed connection: the first {@value #SHOWN} failures of the
 * process are printed to its log (one line each, which run.sh keeps), the rest only counted in
 * every {@value #EVERY}th line, so a run that misbehaves says why without the log costing CPU.
 * Loop-thread only.
 */
final class FailureLog {
    private static final int SHOWN = 10;
    private static final int EVERY = 10_000;
    private static long count;

    private FailureLog() {
    }

    static void report(String server, Throwable error) {
        count++;
        if (count <= SHOWN || count % EVERY == 0) {
            System.err.println(server + ": connection failed (" + count + " so far): " + error);
        }
    }
}

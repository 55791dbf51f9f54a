package io.asyncore.benchmarks.load;

/**
 * The CPU used by the server and by this generator over one measuring window.
 *
 * @param serverNanos server CPU time spent in the window
 * @param generatorNanos generator CPU time spent in the window
 * @param wallNanos the window's length
 */
record Cpu(long serverNanos, long generatorNanos, long wallNanos) {
    /** Starts a window: call {@link Window#stop()} at its end. */
    static Window start(long serverPid) {
        return new Window(serverPid);
    }

    /** Server CPU as a fraction of one core. */
    double serverCores() {
        return (double) serverNanos / wallNanos;
    }

    /** Generator CPU as a fraction of one core: near or above 1.0 means the generator was the bottleneck. */
    double generatorCores() {
        return (double) generatorNanos / wallNanos;
    }

    /** An open window. */
    static final class Window {
        private static final long SELF = ProcessHandle.current().pid();
        private final long serverPid;
        private final long server0;
        private final long self0;
        private final long wall0;

        private Window(long serverPid) {
            this.serverPid = serverPid;
            server0 = ProcStat.cpuNanos(serverPid);
            self0 = ProcStat.cpuNanos(SELF);
            wall0 = System.nanoTime();
        }

        Cpu stop() {
            long wall = System.nanoTime() - wall0;
            return new Cpu(ProcStat.cpuNanos(serverPid) - server0, ProcStat.cpuNanos(SELF) - self0, wall);
        }
    }
}

package io.asyncore.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time and resident memory, read from Linux's {@code /proc}. CPU time comes in
 * clock ticks of 10 ms (USER_HZ is 100 on Linux), so it is read over windows of seconds.
 */
final class ProcStat {
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcStat() {
    }

    /** User plus system CPU time of every thread of {@code pid}, alive or ended, in nanoseconds. */
    static long cpuNanos(long pid) {
        String stat = read(pid, "stat");
        // The command name, field 2, is in parentheses and may hold spaces: count fields after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(f[11]); // field 14 of the full line
        long stime = Long.parseLong(f[12]); // field 15
        return (utime + stime) * NANOS_PER_TICK;
    }

    /** The resident set size of {@code pid} ({@code VmRSS}), in kilobytes. */
    static long rssKb(long pid) {
        for (String line : read(pid, "status").split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("/proc/" + pid + "/status has no VmRSS line: is " + pid + " a live process?");
    }

    private static String read(long pid, String file) {
        Path p = Path.of("/proc", Long.toString(pid), file);
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + p + " (" + e.getMessage()
                    + "): the server process " + pid + " has ended, or this is not Linux", e);
        }
    }
}

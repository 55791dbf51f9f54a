package io.asyncore.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The live heap of a JVM server, from {@code jcmd <pid> GC.class_histogram}, which runs a full GC
 * first. Used around the connection-scale run so that resident memory is read after a collection
 * on both sides (garbage from earlier runs does not count) and heap growth per connection can be
 * shown next to it.
 */
final class LiveHeap {
    /** The jcmd beside the generator's own JDK, unless {@code --jcmd} names another. */
    static final Path DEFAULT_JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    private LiveHeap() {
    }

    /**
     * Collects garbage in {@code pid} and returns its live heap bytes, or -1 if that cannot be
     * known (no such jcmd, not a JVM, or jcmd failed or took over 60 s).
     */
    static long collect(Path jcmd, long pid) {
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return -1;
            }
            String[] lines = new String(out, StandardCharsets.UTF_8).strip().split("\n");
            String[] total = lines[lines.length - 1].trim().split("\\s+"); // "Total <instances> <bytes>"
            return total[0].equals("Total") ? Long.parseLong(total[2]) : -1;
        } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}

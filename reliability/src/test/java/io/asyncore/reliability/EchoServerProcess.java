package io.asyncore.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples' command line, {@code echo-server --port 0 --style STYLE}, run as a fresh JVM the way
 * a user runs it: the test's own class path, {@code io.asyncore.samples.cli.Main}, and whatever JVM
 * options the test asks for. Its standard output and error go to files (so a chatty server never
 * blocks on a full pipe); the port is read from the line the command prints once it listens.
 *
 * <p>{@link #close()} ends the process this object started, by its PID (SIGTERM, which the
 * command's shutdown hook turns into closing every connection; SIGKILL if it has not ended 10 s
 * later), and deletes the files.
 */
final class EchoServerProcess implements AutoCloseable {
    /** "echo server (callback style) listening on 127.0.0.1:PORT; Ctrl-C stops it", and the same for the other styles. */
    private static final Pattern LISTENING = Pattern.compile("echo server \\((\\w+) style\\) listening on (\\S+):(\\d+); ");
    private static final String ACCEPTED = "incoming connection from ";

    final String style;
    private final Process process;
    private final Path out;
    private final Path err;
    private final InetSocketAddress address;

    private EchoServerProcess(String style, Process process, Path out, Path err, InetSocketAddress address) {
        this.style = style;
        this.process = process;
        this.out = out;
        this.err = err;
        this.address = address;
    }

    /**
     * Starts {@code echo-server --port 0 --bind 127.0.0.1 --style style} and returns once it
     * listens.
     *
     * @param jvmOptions options placed before the main class, such as {@code -Xmx64m}
     * @throws AssertionError if it exits or prints no listening line within 60 s
     */
    static EchoServerProcess start(String style, String... jvmOptions) throws IOException {
        Path out = Files.createTempFile("echo-server-" + style + "-", ".out");
        Path err = Files.createTempFile("echo-server-" + style + "-", ".err");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A fresh JVM on a loaded machine spends its first tasks in class loading and JIT, for
        // hundreds of ms; these tests judge bytes and descriptors, so only a stall over 2 s counts.
        command.add("-Dio.asyncore.slowHandlerMillis=2000");
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classPath(), "io.asyncore.samples.cli.Main",
                "echo-server", "--port", "0", "--bind", "127.0.0.1", "--style", style));
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        Matcher[] found = new Matcher[1];
        try {
            Await.until("the " + style + " echo server (pid " + process.pid() + ") prints that it listens", Duration.ofSeconds(60), () -> {
                Matcher m = LISTENING.matcher(read(out));
                if (m.find()) {
                    found[0] = m;
                    return true;
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the " + style + " echo server exited with " + process.exitValue()
                            + " before listening; stdout: " + read(out) + "; stderr: " + read(err));
                }
                return false;
            }, () -> "stdout: " + read(out) + "; stderr: " + read(err));
        } catch (Throwable t) {
            process.destroyForcibly();
            throw t;
        }
        if (!found[0].group(1).equals(style)) {
            process.destroyForcibly();
            throw new AssertionError("asked for the " + style + " style, the server says " + found[0].group(0));
        }
        return new EchoServerProcess(style, process, out, err,
                new InetSocketAddress(found[0].group(2), Integer.parseInt(found[0].group(3))));
    }

    /**
     * The test's class path. Surefire may hand the forked JVM a manifest-only jar, so its own
     * record of the class path comes first.
     */
    private static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    InetSocketAddress address() {
        return address;
    }

    long pid() {
        return process.pid();
    }

    /** What the server printed on standard error; empty while all is well. */
    String stderr() {
        return read(err);
    }

    /** How many "incoming connection from" lines it printed: the connections it accepted. */
    long accepted() {
        return read(out).lines().filter(line -> line.startsWith(ACCEPTED)).count();
    }

    /**
     * Fails unless the process runs and has printed nothing on standard error (an
     * {@code OutOfMemoryError} or any stack trace would land there).
     */
    void assertHealthy() {
        if (!process.isAlive()) {
            throw new AssertionError("the " + style + " echo server (pid " + pid() + ") exited with " + process.exitValue()
                    + "; stderr: " + stderr());
        }
        String errors = stderr();
        if (!errors.isBlank()) {
            throw new AssertionError("the " + style + " echo server (pid " + pid() + ") printed on stderr: " + errors);
        }
    }

    /** How many descriptors the server holds open now, from {@code /proc/PID/fd} (Linux). */
    long openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return fds.count();
        }
    }

    /** The server's open file-descriptor limit, from {@code /proc/PID/limits} (Linux); -1 if unknown. */
    long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The live heap, in bytes: the total of {@code jcmd PID GC.class_histogram}, which collects the
     * garbage first, so only reachable objects count.
     */
    long liveHeapBytes() throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid()), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("jcmd " + pid() + " GC.class_histogram failed: " + new String(output, StandardCharsets.UTF_8));
        }
        String text = new String(output, StandardCharsets.UTF_8);
        Matcher total = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$").matcher(text);
        if (!total.find()) {
            throw new AssertionError("no Total line in jcmd's class histogram: " + text);
        }
        return Long.parseLong(total.group(2));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}

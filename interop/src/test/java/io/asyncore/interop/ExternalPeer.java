package io.asyncore.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A program the test starts (a TLS peer, or a one-shot command), with its standard output and
 * error collected as they come so a test can wait for a line and put both into a failure message.
 * {@link #close()} ends it by its PID, and the processes it forked by theirs: destroy, then
 * destroyForcibly if it has not gone within a bound.
 */
final class ExternalPeer implements AutoCloseable {
    /** How long a wait for a peer's output or exit may take. */
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    private static final int SHOWN = 4000;

    /** Which of the peer's outputs to watch. */
    enum Output { STDOUT, STDERR }

    private final List<String> command;
    private final Process process;
    private final Object lock = new Object();
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private int openOutputs = 2;

    private ExternalPeer(List<String> command, Process process) {
        this.command = command;
        this.process = process;
        collect(process.getInputStream(), stdout, "stdout");
        collect(process.getErrorStream(), stderr, "stderr");
    }

    /** Starts {@code command} in {@code dir}. */
    static ExternalPeer start(Path dir, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        return new ExternalPeer(List.copyOf(command), p);
    }

    /** Runs {@code command} in {@code dir} to its end (within {@link #WAIT}); fails unless it exits with 0. */
    static void run(Path dir, List<String> command) throws IOException {
        try (ExternalPeer peer = start(dir, command)) {
            peer.closeInput();
            assertEquals(0, peer.awaitExit(), () -> "failed: " + peer.describe());
        }
    }

    private void collect(InputStream in, StringBuilder into, String what) {
        Thread reader = new Thread(() -> {
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buf = new char[8192];
                int n;
                while ((n = r.read(buf)) >= 0) {
                    synchronized (lock) {
                        into.append(buf, 0, n);
                        lock.notifyAll();
                    }
                }
            } catch (IOException e) {
                synchronized (lock) {
                    into.append("\n[reading ").append(what).append(" failed: ").append(e).append(']');
                }
            } finally {
                synchronized (lock) {
                    openOutputs--;
                    lock.notifyAll();
                }
            }
        }, "interop " + command.get(0) + " " + what);
        reader.setDaemon(true);
        reader.start();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the peer wrote to its standard output so far. */
    String stdout() {
        synchronized (lock) {
            return stdout.toString();
        }
    }

    /** Writes {@code text} to the peer's standard input. */
    void send(String text) {
        try {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the standard input of " + describe(), e);
        }
    }

    /** Closes the peer's standard input: it reads end of file. */
    void closeInput() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the standard input of " + describe(), e);
        }
    }

    /**
     * Waits until {@code pattern} is found in {@code output}; fails, saying what the peer wrote,
     * if the peer ends that output without it or {@link #WAIT} passes.
     */
    Matcher await(Output output, Pattern pattern) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        StringBuilder text = output == Output.STDOUT ? stdout : stderr;
        synchronized (lock) {
            while (true) {
                Matcher m = pattern.matcher(text);
                if (m.find()) {
                    return m;
                }
                if (openOutputs == 0) {
                    return fail("ended its output without printing /" + pattern + "/: " + describeLocked());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return fail("did not print /" + pattern + "/ within " + WAIT.toSeconds() + " s: " + describeLocked());
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return fail("interrupted waiting for /" + pattern + "/ from " + describeLocked());
                }
            }
        }
    }

    /** Waits (at most {@link #WAIT}) for the peer to exit and returns its exit code. */
    int awaitExit() {
        try {
            if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("did not exit within " + WAIT.toSeconds() + " s: " + describe());
            }
            awaitOutputsClosed();
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted waiting for the exit of " + describe());
        }
    }

    /** Waits at most {@code millis} for the peer to exit; true if it has. */
    boolean awaitExit(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    private void awaitOutputsClosed() throws InterruptedException {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        synchronized (lock) {
            long left;
            while (openOutputs > 0 && (left = deadline - System.nanoTime()) > 0) {
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** The command, its PID and state, and the end of what it wrote to each output: for failure messages. */
    String describe() {
        synchronized (lock) {
            if (!process.isAlive()) {
                try {
                    awaitOutputsClosed(); // what it wrote just before it exited
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return describeLocked();
        }
    }

    private String describeLocked() {
        String state = process.isAlive() ? "running" : "exited with " + process.exitValue();
        return String.join(" ", command) + " (pid " + process.pid() + ", " + state + ")"
                + "\n--- its stdout:\n" + tail(stdout) + "\n--- its stderr:\n" + tail(stderr) + "\n---";
    }

    private static String tail(CharSequence text) {
        return text.length() <= SHOWN ? text.toString() : "[...]" + text.subSequence(text.length() - SHOWN, text.length());
    }

    /** Ends the peer and what it forked, each by its PID; politely first, then forcibly. */
    @Override
    public void close() {
        List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            for (ProcessHandle child : children) {
                try {
                    child.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    child.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }
}

package io.asyncore.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one load generator for every echo server, in its own process on one thread. It runs the
 * scenarios against the server on 127.0.0.1 and appends one {@code key=value} line per run to
 * the results file, which {@code Report} turns into {@code BENCHMARKS.md}:
 * <ul>
 *   <li>{@code pingpong}: C connections, one 64-byte message each in flight, for each C given;
 *   <li>{@code bulk}: one connection streaming 64 KiB writes and reading the echo;
 *   <li>{@code scale}: 50 connections ping-pong alone ({@code idle0}), then N more connections are
 *       opened and held idle ({@code scale}: connect rate, server memory per connection), then the
 *       same 50 connections ping-pong again beside them ({@code idle}).
 * </ul>
 * Every run is bounded in time; every figure except connect rate comes from a measuring window
 * after a warm-up.
 *
 * <p>{@code benchmarks/native/loadgen.c} is the same generator in C (same options, scenarios and
 * lines), which costs less per round trip; {@code run.sh} uses it where a C compiler exists and
 * this one otherwise.
 */
public final class LoadGenerator {
    private static final Set<String> OPTIONS = Set.of("server", "port", "pid", "out", "seconds", "warmup",
            "repeats", "rep", "connections", "scenarios", "scale", "active", "max-round-trips", "jcmd");

    private final Map<String, String> opts;
    private final InetSocketAddress address;
    private final long pid;
    private final String server;
    private final double seconds;
    private final double warmup;
    private final long maxRoundTrips;
    private final Path out;

    private LoadGenerator(Map<String, String> opts) {
        this.opts = opts;
        server = required("server");
        address = new InetSocketAddress("127.0.0.1", (int) number("port", 0));
        pid = number("pid", 0);
        out = Path.of(required("out"));
        seconds = Double.parseDouble(opts.getOrDefault("seconds", "4"));
        warmup = Double.parseDouble(opts.getOrDefault("warmup", "1"));
        maxRoundTrips = number("max-round-trips", 500_000_000L);
        if (seconds <= 0 || seconds > 120 || warmup < 0 || warmup > 60) {
            fail("--seconds must be in (0, 120] and --warmup in [0, 60], got " + seconds + " and " + warmup);
        }
    }

    public static void main(String[] args) throws IOException {
        new LoadGenerator(parse(args)).run();
    }

    private void run() throws IOException {
        int repeats = (int) number("repeats", 3);
        // The number of the first repetition: run.sh runs one repetition per round and numbers it by the round.
        int first = (int) number("rep", 1);
        if (repeats < 1 || first < 1) {
            fail("--repeats and --rep must be at least 1, got " + repeats + " and " + first);
        }
        List<String> scenarios = List.of(opts.getOrDefault("scenarios", "pingpong,bulk,scale").split(","));
        // The server's JIT warms up here, so the first measured run is not its first traffic.
        try (Connections warm = new Connections(Message.connect(address, 50))) {
            PingPong.run(warm.channels, pid, 0, Math.max(1, warmup * 2), maxRoundTrips);
        }
        if (scenarios.contains("pingpong")) {
            for (String c : opts.getOrDefault("connections", "1,50,1000").split(",")) {
                for (int rep = first; rep < first + repeats; rep++) {
                    try (Connections conns = new Connections(Message.connect(address, Integer.parseInt(c.trim())))) {
                        emit("pingpong", rep, PingPong.run(conns.channels, pid, warmup, seconds, maxRoundTrips).format());
                    }
                }
            }
        }
        if (scenarios.contains("bulk")) {
            for (int rep = first; rep < first + repeats; rep++) {
                SocketChannel ch = Message.connect(address, 1).get(0);
                emit("bulk", rep, Bulk.run(ch, pid, warmup, seconds).format());
            }
        }
        if (scenarios.contains("scale")) {
            int active = (int) number("active", 50);
            int n = (int) number("scale", 10_000);
            try (Connections conns = new Connections(Message.connect(address, active))) {
                emit("idle0", first, PingPong.run(conns.channels, pid, warmup, seconds, maxRoundTrips).format());
                try (ConnectionScale held = ConnectionScale.open(address, pid, n,
                        opts.containsKey("jcmd") ? Path.of(opts.get("jcmd")) : LiveHeap.DEFAULT_JCMD)) {
                    emit("scale", first, held.format());
                    // The same connections again, now beside the idle ones.
                    emit("idle", first, PingPong.run(conns.channels, pid, warmup, seconds, maxRoundTrips).format() + " idle=" + n);
                }
            }
        }
    }

    private void emit(String scenario, int rep, String figures) {
        String line = "server=" + server + " scenario=" + scenario + " rep=" + rep + " " + figures;
        System.out.println(line);
        try {
            Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the results file " + out + ": " + e.getMessage(), e);
        }
    }

    /** Connections closed (with a reset) when the scenario is done. */
    private static final class Connections implements AutoCloseable {
        final List<SocketChannel> channels;

        Connections(List<SocketChannel> channels) {
            this.channels = new ArrayList<>(channels);
        }

        @Override
        public void close() {
            Message.closeAll(channels);
        }
    }

    private String required(String name) {
        String v = opts.get(name);
        if (v == null) {
            fail("--" + name + " is required");
        }
        return v;
    }

    private long number(String name, long dflt) {
        String v = opts.get(name);
        if (v == null) {
            if (dflt == 0) {
                fail("--" + name + " is required");
            }
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            fail("--" + name + " must be a whole number, got '" + v + "'");
            return 0;
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0 || !OPTIONS.contains(a.substring(2, eq))) {
                fail("unknown argument '" + a + "'");
            }
            m.put(a.substring(2, eq), a.substring(eq + 1));
        }
        return m;
    }

    private static void fail(String problem) {
        PrintStream err = System.err;
        err.println("LoadGenerator: " + problem);
        err.println("usage: LoadGenerator --server=NAME --port=P --pid=SERVER_PID --out=FILE [--seconds=4] [--warmup=1]"
                + " [--repeats=3] [--rep=1] [--scenarios=pingpong,bulk,scale] [--connections=1,50,1000] [--scale=10000] [--active=50]"
                + " [--max-round-trips=500000000] [--jcmd=PATH (default: the jcmd of this JDK)]");
        System.exit(2);
    }
}

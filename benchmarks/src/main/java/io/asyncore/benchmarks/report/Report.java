package io.asyncore.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Writes {@code BENCHMARKS.md} from a results directory made by {@code run.sh}: {@code meta.txt}
 * (how the run was made), {@code results.txt} (the load generator's lines), {@code jmh.csv} and
 * the JFR {@code *.hot-methods.txt} views, {@code tls-results.txt} ({@link TlsReport}),
 * {@code group-results.txt} ({@link GroupReport}), {@code udp-results.txt} ({@link UdpReport}), plus the
 * hand-written analysis in {@code notes.md}.
 *
 * <p>{@code run.sh} runs in rounds: each round starts every server afresh and runs every scenario
 * once against it, and its lines carry {@code rep=<round>}. Every figure shown, for every scenario,
 * is the median of that figure over the rounds (the mean of the middle two for an even count), and
 * every ratio is a ratio of such medians. Ratios are to the {@code netty-nio} and {@code raw-nio}
 * servers of the same run.
 *
 * <p>Usage: {@code Report <results dir> <notes.md> <BENCHMARKS.md>}.
 */
public final class Report {
    static final String NETTY = "netty-nio";
    static final String RAW = "raw-nio";
    static final String CALLBACK = "callback";

    private final List<Run> runs;
    private final List<String> servers;
    private final List<String> meta;
    private final Path dir;
    private final StringBuilder md = new StringBuilder();

    private Report(Path dir) throws IOException {
        this.dir = dir;
        Path results = dir.resolve("results.txt");
        runs = Files.exists(results)
                ? Files.readAllLines(results).stream().filter(l -> !l.isBlank()).map(Run::new).collect(Collectors.toList())
                : List.of();
        runs.stream().filter(r -> r.scenario().equals("bulk")).forEach(Report::deriveCpuPerByte);
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.add(r.server()));
        servers = List.copyOf(names);
        meta = Files.readAllLines(dir.resolve("meta.txt"));
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: Report <results dir> <notes.md> <BENCHMARKS.md> [<charts dir>]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        if (!Files.exists(dir.resolve("meta.txt"))) {
            System.err.println("Report: " + dir + " has no meta.txt; run benchmarks/run.sh, which makes it");
            System.exit(2);
        }
        Path out = Path.of(args[2]).toAbsolutePath();
        Report report = new Report(dir);
        if (args.length == 4) {
            Path charts = Path.of(args[3]).toAbsolutePath();
            Files.createDirectories(charts);
            String prefix = out.getParent().relativize(charts).toString().replace('\\', '/');
            for (Map.Entry<String, String> chart : report.charts().entrySet()) {
                Files.writeString(charts.resolve(chart.getKey()), chart.getValue(), StandardCharsets.UTF_8);
            }
            report.chartPrefix = prefix.isEmpty() ? "" : prefix + "/";
        }
        Files.writeString(out, report.write(Path.of(args[1])), StandardCharsets.UTF_8);
    }

    /** The Markdown for the results in {@code dir}, with the analysis in {@code notes} if that file exists. */
    static String render(Path dir, Path notes) throws IOException {
        return new Report(dir).write(notes);
    }

    /** Where the Markdown finds the chart files, relative to it; null when no charts were written. */
    private String chartPrefix;

    /**
     * The headline comparisons as SVG charts, by file name: round trips/s and server CPU per round
     * trip at each C, bulk throughput, memory per connection. A chart whose scenario did not run is
     * left out; a server not measured in it shows as n/a.
     */
    Map<String, String> charts() {
        Map<String, String> charts = new LinkedHashMap<>();
        List<String> cs = distinct("pingpong", "c");
        if (!cs.isEmpty()) {
            List<String> shown = servers.stream().filter(s -> cs.stream().anyMatch(c -> measured(s, "pingpong", c))).toList();
            List<Charts.Series> rtps = new ArrayList<>();
            List<Charts.Series> cpu = new ArrayList<>();
            for (String c : cs) {
                rtps.add(new Charts.Series("C = " + c, shown.stream().map(s -> median(s, "pingpong", c, "rtps")).toList()));
                cpu.add(new Charts.Series("C = " + c, shown.stream().map(s -> median(s, "pingpong", c, "srvus_per_rt")).toList()));
            }
            charts.put("pingpong-rtps.svg", Charts.groupedBars("Ping-pong, 64-byte messages: round trips per second (higher is better)",
                    "round trips/s", shown, rtps));
            charts.put("pingpong-cpu.svg", Charts.groupedBars("Ping-pong: server CPU per round trip (lower is better)",
                    "µs per round trip", shown, cpu));
        }
        List<String> bulk = servers.stream().filter(s -> measured(s, "bulk", null)).toList();
        if (!bulk.isEmpty()) {
            charts.put("bulk.svg", Charts.groupedBars("Bulk echo on one connection (higher MB/s, lower ns/byte is better)", "MB/s", bulk,
                    List.of(new Charts.Series("MB/s", bulk.stream().map(s -> median(s, "bulk", null, "mbps")).toList()))));
            charts.put("bulk-cpu.svg", Charts.groupedBars("Bulk echo: server CPU per echoed byte (lower is better)", "ns per byte", bulk,
                    List.of(new Charts.Series("ns/byte", bulk.stream().map(s -> median(s, "bulk", null, NS_PER_BYTE)).toList()))));
        }
        List<String> scale = servers.stream().filter(s -> measured(s, "scale", null)).toList();
        if (!scale.isEmpty()) {
            charts.put("memory.svg", Charts.groupedBars("Memory per idle connection (lower is better)", "KB per connection", scale,
                    List.of(new Charts.Series("RSS", scale.stream().map(s -> median(s, "scale", null, "rss_per_conn_kb")).toList()),
                            new Charts.Series("live heap", scale.stream().map(s -> median(s, "scale", null, "heap_per_conn_kb")).toList()))));
        }
        return charts;
    }

    private void chartSection() {
        if (chartPrefix == null) {
            return;
        }
        Map<String, String> charts = charts();
        if (charts.isEmpty()) {
            return;
        }
        line("## Charts");
        line("");
        line("Drawn by the report from the tables below (medians over the rounds).");
        line("");
        for (String file : charts.keySet()) {
            line("![" + file.replace(".svg", "") + "](" + chartPrefix + file + ")");
            line("");
        }
    }

    private String write(Path notes) throws IOException {
        line("# Benchmarks");
        line("");
        line("Written by `benchmarks/run.sh` on " + meta("date") + " (" + meta("mode") + " run); do not edit by hand: "
                + "the analysis comes from `benchmarks/notes.md`. Every server is its own process on 127.0.0.1 with one "
                + "event-loop thread where its model has one; one load generator process drives them all.");
        line("");
        // What tells of other work is the CPU used while run.sh waited before the first server (busy-before); the
        // load average before the run also counts the build, and the load after is the run's own.
        double idleBusy = busyBefore();
        if (!Double.isNaN(idleBusy)) {
            if (idleBusy >= BUSY_SHARE) {
                line("**Preliminary: " + Math.round(idleBusy * 100) + " % of the CPUs were busy in the 10 s "
                        + "before the first server started, with nothing of the benchmark running: other work shared the machine. "
                        + "See the analysis below for how far the figures can be trusted.**");
                line("");
            }
        } else if (busy(meta("load-before"))) {
            line("**Preliminary: the 1-minute load average was " + meta("load-before").trim().split("\\s+")[0]
                    + " when this run started (" + meta("load-before") + " over 1/5/15 minutes, on " + meta("machine").split(",")[0]
                    + "): other work had just run or was running. See the analysis below for how far the figures can be trusted.**");
            line("");
        }
        if (meta("mode").equals("quick")) {
            line("**This is a `--quick` smoke run: windows of half a second, " + rounds() + ". Its figures only show that the harness works.**");
            line("");
        }
        targets();
        chartSection();
        pingPong();
        bulk();
        connections();
        idle();
        TlsReport.section(dir, meta).forEach(this::line); // nothing unless the run measured TLS servers
        GroupReport.section(dir, meta).forEach(this::line); // nothing unless the run measured loop groups
        UdpReport.section(dir, meta).forEach(this::line); // nothing unless the run measured datagram servers
        Syscalls.section(dir, servers, number(meta("syscall-window"))).forEach(this::line);
        jmh();
        notes(notes);
        profiles();
        howRun();
        return md.toString();
    }

    // ---------------------------------------------------------------- sections

    private void pingPong() {
        line("## Ping-pong, 64-byte messages");
        line("");
        line("Each connection keeps one message in flight. Latency is from sending a message to receiving its whole echo, "
                + "measured by the generator. *Server µs/RT* is the server's CPU time (user + system, from `/proc`) per round trip: "
                + "when the generator is saturated (its CPU near 1.00 core), round trips/s measure the generator and this is "
                + "the figure that still tells the servers apart.");
        line("");
        for (String c : distinct("pingpong", "c")) {
            line("### C = " + c);
            line("");
            serverTable("| server | round trips/s | × Netty NIO | × raw NIO | p50 µs | p99 µs | p99.9 µs | server µs/RT | × raw NIO | server CPU | generator CPU |",
                    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
                    s -> measured(s, "pingpong", c),
                    s -> f0(median(s, "pingpong", c, "rtps")) + " | " + ratios(s, "pingpong", c, "rtps") + " | "
                            + f1(median(s, "pingpong", c, "p50us")) + " | " + f1(median(s, "pingpong", c, "p99us")) + " | "
                            + f1(median(s, "pingpong", c, "p999us")) + " | " + f2(median(s, "pingpong", c, "srvus_per_rt")) + " | "
                            + ratio(s, "pingpong", c, RAW, "srvus_per_rt") + " | " + f2(median(s, "pingpong", c, "srvcpu")) + " | "
                            + f2(median(s, "pingpong", c, "gencpu")) + " |");
        }
    }

    private void bulk() {
        line("## Bulk streaming, one connection");
        line("");
        line("The generator writes 64 KiB chunks as fast as the connection takes them and reads the echo back; the figure is echoed megabytes (10^6 bytes) per second. "
                + "*Server ns/byte* is the server's CPU time (user + system) per echoed byte, computed in each round from that round's "
                + "CPU and bytes, then its median over the rounds: when other work shares the machine it moves less than MB/s does.");
        line("");
        serverTable("| server | MB/s | × Netty NIO | × raw NIO | server CPU | server ns/byte | × raw NIO | generator CPU |",
                "|---|--:|--:|--:|--:|--:|--:|--:|",
                s -> measured(s, "bulk", null),
                s -> f0(median(s, "bulk", null, "mbps")) + " | " + ratios(s, "bulk", null, "mbps") + " | "
                        + f2(median(s, "bulk", null, "srvcpu")) + " | " + f2(median(s, "bulk", null, NS_PER_BYTE)) + " | "
                        + ratio(s, "bulk", null, RAW, NS_PER_BYTE) + " | " + f2(median(s, "bulk", null, "gencpu")) + " |");
    }

    /** The derived key of a bulk run's server CPU time per echoed byte, in nanoseconds. */
    static final String NS_PER_BYTE = "srvns_per_byte";

    /** Server cores / (10^6 bytes/s) × 1000 = ns of server CPU per byte; "na" when either figure is missing. */
    static void deriveCpuPerByte(Run r) {
        try {
            double perByte = r.num("srvcpu") / r.num("mbps") * 1000;
            r.derive(NS_PER_BYTE, Double.isFinite(perByte) ? Double.toString(perByte) : "na");
        } catch (IllegalArgumentException e) { // also NumberFormatException: "na" from the generator
            r.derive(NS_PER_BYTE, "na");
        }
    }

    private void connections() {
        line("## Many connections");
        line("");
        line("The generator opens N connections (at most 128 connects in flight) and counts one as established when the "
                + "server has echoed a first 64-byte message on it. Memory is the server's resident set (`VmRSS`) after the "
                + "last echo minus before the first connect, divided by N, each read right after a full GC of the server "
                + "(`jcmd <pid> GC.class_histogram`, outside the timed part), so it counts native memory (kernel-side socket "
                + "buffers are not in RSS), thread stacks and heap pages newly touched. *Live heap* is the growth of the "
                + "live objects that histogram reports, per connection.");
        line("");
        serverTable("| server | N | connects/s | × Netty NIO | × raw NIO | RSS before → after | RSS KB per connection | × raw NIO | live heap KB per connection |",
                "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
                s -> measured(s, "scale", null),
                s -> {
                    double heap = median(s, "scale", null, "heap_per_conn_kb");
                    return f0(median(s, "scale", null, "n")) + " | " + f0(median(s, "scale", null, "connps")) + " | "
                            + ratios(s, "scale", null, "connps") + " | "
                            + f0(median(s, "scale", null, "rss_before_kb") / 1024) + " → " + f0(median(s, "scale", null, "rss_after_kb") / 1024)
                            + " MB | " + f2(median(s, "scale", null, "rss_per_conn_kb")) + " | " + ratio(s, "scale", null, RAW, "rss_per_conn_kb")
                            + " | " + (Double.isNaN(heap) ? "n/a" : f2(heap)) + " |";
                });
    }

    private void idle() {
        line("## Idle connections beside active ones");
        line("");
        line("50 connections ping-pong alone, then again while the N connections above are held open and idle, in the same "
                + "server process. *Change* compares the two medians; *each round* is the change within each round, in round order.");
        line("");
        serverTable("| server | 50 alone: round trips/s | beside N idle | change | each round | server µs/RT alone | beside N idle |",
                "|---|--:|--:|--:|--:|--:|--:|",
                s -> measured(s, "idle0", null) && measured(s, "idle", null),
                s -> {
                    double a = median(s, "idle0", null, "rtps");
                    double b = median(s, "idle", null, "rtps");
                    return f0(a) + " | " + f0(b) + " (N = " + first(s, "idle").get().text("idle") + ") | "
                            + pct(b / a - 1) + " | " + perRound(s) + " | " + f2(median(s, "idle0", null, "srvus_per_rt")) + " | "
                            + f2(median(s, "idle", null, "srvus_per_rt")) + " |";
                });
    }

    private void jmh() throws IOException {
        line("## JMH microbenchmarks");
        line("");
        Path csv = dir.resolve("jmh.csv");
        if (!Files.exists(csv)) {
            line("JMH did not run or failed (see `benchmarks/results/jmh.log`).");
            line("");
            return;
        }
        List<String> rows = Files.readAllLines(csv);
        List<String> header = csvFields(rows.get(0));
        String all = String.join("\n", rows);
        if (all.contains("IdlePassBenchmark")) {
            line("- `IdlePassBenchmark.pass`: one `Asyncore.poll(Duration.ZERO, map)` over N idle connected dispatchers "
                    + "(N/2 loopback connections, both ends in the map). *announced*: library dispatchers that tell the loop when "
                    + "their interest changes; *polled*: `readable()` overridden as Python code does, so every one is asked every pass.");
        }
        if (all.contains("TerminatorSearchBenchmark")) {
            line("- `TerminatorSearchBenchmark.handleRead`: one AsyncChat `handleRead()` of a 64 KiB read holding 1,024 "
                    + "64-byte messages, each ending in the terminator (`\\n`, `\\r\\n` or a 16-byte boundary): the search, "
                    + "the copies into `collectIncomingData` and 1,024 `foundTerminator()` calls, with no system call "
                    + "(`recv` is overridden to return the prepared read).");
        }
        if (all.contains("CoroutineRoundTripBenchmark")) {
            line("- `CoroutineRoundTripBenchmark.yieldOnLoop`: a coroutine on the loop's dispatcher calls `yield()`: it "
                    + "suspends, its continuation is posted with `SocketMap.execute`, and the loop's task queue resumes it. "
                    + "Successive round trips mostly stay within one pass (a pass runs up to 4,096 tasks): no select or "
                    + "wake-up per round trip.");
        }
        line("");
        StringBuilder h = new StringBuilder("| benchmark |");
        StringBuilder sep = new StringBuilder("|---|");
        for (int i = 7; i < header.size(); i++) {
            h.append(' ').append(header.get(i).replace("Param: ", "")).append(" |");
            sep.append("--:|");
        }
        line(h + " score | ± (99.9%) | unit |");
        line(sep + "--:|--:|---|");
        for (String row : rows.subList(1, rows.size())) {
            List<String> f = csvFields(row);
            StringBuilder b = new StringBuilder("| " + f.get(0).replaceFirst("^io\\.asyncore\\.benchmarks\\.jmh\\.", "") + " |");
            for (int i = 7; i < f.size(); i++) {
                b.append(' ').append(f.get(i)).append(" |");
            }
            b.append(' ').append(f3(Double.parseDouble(f.get(4)))).append(" | ").append(f.get(5).equals("NaN") ? "" : f3(Double.parseDouble(f.get(5))))
                    .append(" | ").append(f.get(6)).append(" |");
            line(b.toString());
        }
        line("");
    }

    private void targets() {
        line("## Targets (issues 6, 11, 14 and 15)");
        line("");
        line("| target | measured | verdict |");
        line("|---|---|---|");
        for (String c : distinct("pingpong", "c")) {
            target("callback round trips/s ≥ 1.0× Netty NIO, C = " + c, "pingpong", c, NETTY, "rtps", 1.0, true);
            target("callback round trips/s ≥ 0.95× raw NIO, C = " + c, "pingpong", c, RAW, "rtps", 0.95, true);
            target("callback server CPU per round trip ≤ 1.1× raw NIO, C = " + c, "pingpong", c, RAW, "srvus_per_rt", 1.1, false);
        }
        target("callback bulk ≥ 0.95× raw NIO", "bulk", null, RAW, "mbps", 0.95, true);
        // Issue 11 (the samples' echo servers, as the CLI runs them) and issue 14 (the coroutine socket's bulk path).
        for (String sample : List.of("sample-callback", "sample-coroutine")) {
            target(sample, sample + " bulk ≥ 0.9× raw NIO", "bulk", null, RAW, "mbps", 0.9, true);
            target(sample, sample + " bulk server CPU per byte ≤ 1.1× raw NIO", "bulk", null, RAW, NS_PER_BYTE, 1.1, false);
        }
        target("coroutine", "coroutine bulk ≥ 0.9× raw NIO", "bulk", null, RAW, "mbps", 0.9, true);
        target("callback connect rate ≥ 0.9× raw NIO", "scale", null, RAW, "connps", 0.9, true);
        target("callback memory per idle connection ≤ 1.2× raw NIO", "scale", null, RAW, "rss_per_conn_kb", 1.2, false);
        // Issue 15: the loop's detection (slow-handler timing, leak detection) at its defaults costs nothing measurable.
        target(CALLBACK, "callback with detection at its defaults vs off, server CPU per round trip at C=50: no measurable cost (≤ 1.03×)",
                "pingpong", "50", "callback-detect-off", "srvus_per_rt", 1.03, false);
        relative("coroutine", "coroutine echo ≥ 0.9× callback echo", 0.9);
        relative("chat", "AsyncChat line echo ≥ 0.8× callback echo", 0.8);
        if (measured(CALLBACK, "idle0", null) && measured(CALLBACK, "idle", null)) {
            double alone = median(CALLBACK, "idle0", null, "rtps");
            double loaded = median(CALLBACK, "idle", null, "rtps");
            double cost = 1 - loaded / alone;
            line("| callback: " + first(CALLBACK, "idle").get().text("idle") + " idle channels cost the 50 active ones ≤ 10% of their round trips/s | "
                    + pct(-cost) + " (" + f0(alone) + " → " + f0(loaded) + ") | " + (cost <= 0.10 ? "met" : "**missed**") + " |");
        } else {
            line("| callback: idle channels cost the 50 active ones ≤ 10% | not measured | — |");
        }
        line("");
        line("A target judged on round trips/s while the generator was saturated (its CPU ≥ 0.95 core) is marked *generator-bound*: "
                + "the ratio then measures the shared generator as much as the servers, and server CPU per round trip is the sharper figure.");
        line("");
    }

    private void target(String what, String scenario, String c, String base, String key, double bound, boolean atLeast) {
        target(CALLBACK, what, scenario, c, base, key, bound, atLeast);
    }

    /** A target for {@code server}'s median {@code key} relative to {@code base}'s: at least or at most {@code bound} times it. */
    private void target(String server, String what, String scenario, String c, String base, String key, double bound, boolean atLeast) {
        double x = median(server, scenario, c, key);
        double y = median(base, scenario, c, key);
        if (Double.isNaN(x) || Double.isNaN(y)) {
            line("| " + what + " | not measured | — |");
            return;
        }
        double r = x / y;
        boolean met = atLeast ? r >= bound : r <= bound;
        String note = "";
        if (atLeast && key.equals("rtps") && generatorBound(server, base, scenario, c)) {
            note = " (generator-bound)";
        }
        line("| " + what + " | " + f2(r) + "× (" + fmt(x) + " vs " + fmt(y) + ") | " + (met ? "met" : "**missed**") + note + " |");
    }

    /** A target for {@code server}'s round trips/s relative to the callback server's, at every C measured. */
    private void relative(String server, String what, double bound) {
        boolean any = false;
        for (String c : distinct("pingpong", "c")) {
            if (measured(server, "pingpong", c) && measured(CALLBACK, "pingpong", c)) {
                any = true;
                double x = median(server, "pingpong", c, "rtps");
                double y = median(CALLBACK, "pingpong", c, "rtps");
                double r = x / y;
                String note = generatorBound(server, CALLBACK, "pingpong", c) ? " (generator-bound)" : "";
                line("| " + what + ", C = " + c + " | " + f2(r) + "× (" + fmt(x) + " vs " + fmt(y) + "); server µs/RT "
                        + f2(median(server, "pingpong", c, "srvus_per_rt")) + " vs " + f2(median(CALLBACK, "pingpong", c, "srvus_per_rt"))
                        + " | " + (r >= bound ? "met" : "**missed**") + note + " |");
            }
        }
        if (!any) {
            String why = meta.stream().filter(m -> m.startsWith("pending: " + server + "|")).findFirst()
                    .map(m -> "pending: " + m.split("\\|")[2]).orElse("not measured");
            line("| " + what + " | " + why + " | — |");
        }
    }

    private void notes(Path notes) throws IOException {
        if (Files.exists(notes)) {
            line("## Analysis");
            line("");
            md.append(Files.readString(notes).strip()).append("\n\n");
        }
    }

    private void profiles() throws IOException {
        List<Path> views;
        try (var s = Files.list(dir)) {
            views = s.filter(p -> p.getFileName().toString().endsWith(".hot-methods.txt")).sorted().collect(Collectors.toList());
        }
        if (views.isEmpty()) {
            return;
        }
        line("## Profiles");
        line("");
        line("JFR samples of the server process during a separate ping-pong run at C = 50 (on JDK 25+ the CPU-time sampler, "
                + "`jfr view cpu-time-hot-methods`, which also sees native frames such as socket calls; before, `jfr view hot-methods`), top rows:");
        line("");
        for (Path p : views) {
            line("<details><summary>" + p.getFileName().toString().replace(".hot-methods.txt", "") + "</summary>");
            line("");
            line("```");
            Files.readAllLines(p).stream().limit(30).forEach(this::line);
            line("```");
            line("</details>");
            line("");
        }
    }

    private void howRun() {
        line("## How this was run");
        line("");
        line("- Command: `benchmarks/run.sh" + (meta("mode").equals("quick") ? " --quick" : "") + "` from the repository root "
                + "(it builds with `mvn -B -q -pl benchmarks -am package -DskipTests -Dkotlin.compiler.daemon=false`).");
        line("- Machine: " + meta("machine") + "; load average " + meta("load-before") + " before the run (after the build), "
                + meta("load-after") + " after" + (Double.isNaN(busyBefore()) ? "" : "; CPUs busy in the 10 s before the first server, "
                + "with nothing of the benchmark running: " + Math.round(busyBefore() * 100) + " %") + ".");
        line("- JDK of every benchmark process: " + meta("java") + "; Maven built on Java " + meta("maven-java") + ".");
        line("- Pinning: " + meta("pinning") + ".");
        boolean javaGenerator = !meta("generator-kind").startsWith("native");
        line("- Server JVM options: `" + meta("server-jvm") + "`" + (javaGenerator ? "; generator: `" + meta("generator-jvm") + "`" : "") + ".");
        line("- Load generator: " + (javaGenerator
                ? "the Java `LoadGenerator " + meta("generator") + "` (one Java thread on one core" + kindDetail() + ")"
                : "the native `loadgen " + meta("generator") + "` (`benchmarks/native/loadgen.c`: C, epoll, one thread on one core"
                        + kindDetail() + ")")
                + "; figures from the window after the warm-up.");
        line("- Rounds: " + rounds() + ". Each round starts every server afresh, in the order of the tables, and runs every scenario "
                + "once against it (ping-pong at each C, bulk, then the connection-scale run with the idle ping-pong before and after), "
                + "so slow drifts of the machine hit every server alike. Every figure shown is the median over the rounds of that "
                + "figure (the mean of the middle two for an even count); every ratio is a ratio of medians.");
        line("- JMH: `" + meta("jmh") + "`.");
        line("- Open-file limit: " + meta("nofile") + ".");
        for (String m : meta) {
            for (String kind : List.of("pending", "skipped", "failed")) {
                if (m.startsWith(kind + ": ")) {
                    String[] f = m.substring(kind.length() + 2).split("\\|");
                    line("- " + Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + ": " + String.join(" — ", f) + ".");
                }
            }
        }
        line("");
    }

    // ---------------------------------------------------------------- lookups

    private List<String> distinct(String scenario, String key) {
        return runs.stream().filter(r -> r.scenario().equals(scenario)).map(r -> r.text(key)).distinct()
                .sorted(Comparator.comparingDouble(Double::parseDouble)).collect(Collectors.toList());
    }

    private List<Run> select(String server, String scenario, String c) {
        List<Run> rs = new ArrayList<>();
        for (Run r : runs) {
            if (r.server().equals(server) && r.scenario().equals(scenario) && (c == null || r.text("c").equals(c))) {
                rs.add(r);
            }
        }
        return rs;
    }

    private boolean measured(String server, String scenario, String c) {
        return !select(server, scenario, c).isEmpty();
    }

    /**
     * The median over the rounds of one figure of {@code server}'s {@code scenario} (at {@code c}
     * connections for ping-pong): the middle value, or the mean of the middle two for an even count.
     * NaN when there is none; values that are not numbers ({@code na}) are left out.
     */
    static double median(List<Run> rs, String key) {
        double[] v = rs.stream().map(r -> r.text(key)).filter(t -> !t.equals("na")).mapToDouble(Double::parseDouble).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private double median(String server, String scenario, String c, String key) {
        return median(select(server, scenario, c), key);
    }

    /** True if the generator's median CPU in either server's runs was 0.95 core or more. */
    private boolean generatorBound(String a, String b, String scenario, String c) {
        return Math.max(median(a, scenario, c, "gencpu"), median(b, scenario, c, "gencpu")) >= 0.95;
    }

    /** The idle cost of each round, as "+1.0%, -3.2%", pairing the idle0 and idle runs of the same round. */
    private String perRound(String server) {
        List<String> out = new ArrayList<>();
        for (Run alone : select(server, "idle0", null)) {
            for (Run loaded : select(server, "idle", null)) {
                if (loaded.text("rep").equals(alone.text("rep"))) {
                    out.add(pct(loaded.num("rtps") / alone.num("rtps") - 1));
                }
            }
        }
        return out.isEmpty() ? "—" : String.join(", ", out);
    }

    /** "3 rounds", from meta.txt, else from the rep numbers in the results. */
    private String rounds() {
        String n = meta("rounds");
        if (n.equals("?")) {
            n = Long.toString(runs.stream().map(r -> r.text("rep")).distinct().count());
        }
        return n.equals("1") ? "one round" : n + " rounds";
    }

    /** What meta.txt says after the generator's kind, e.g. "; gcc 12.2.0 -O2", or nothing. */
    private String kindDetail() {
        String k = meta("generator-kind");
        int sp = k.indexOf(' ');
        return sp < 0 ? "" : "; " + k.substring(sp + 1).replaceAll("^\\((.*)\\)$", "$1");
    }

    private Optional<Run> first(String server, String scenario) {
        return runs.stream().filter(r -> r.server().equals(server) && r.scenario().equals(scenario)).findFirst();
    }

    /** The ratio of {@code server}'s median figure to {@code base}'s, or a dash if either is missing. */
    /** Two table cells: {@code server}'s median {@code key} as a multiple of Netty NIO's, then of raw NIO's. */
    private String ratios(String server, String scenario, String c, String key) {
        return ratio(server, scenario, c, NETTY, key) + " | " + ratio(server, scenario, c, RAW, key);
    }

    private String ratio(String server, String scenario, String c, String base, String key) {
        double x = median(server, scenario, c, key);
        double y = median(base, scenario, c, key);
        return Double.isNaN(x) || Double.isNaN(y) ? "—" : f2(x / y);
    }

    /** The share of busy CPUs, with nothing of the benchmark running, above which a run is called preliminary. */
    static final double BUSY_SHARE = 0.10;

    private static double number(String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The share of CPUs busy before the first server started, or NaN if the run did not measure it. */
    private double busyBefore() {
        return number(meta("busy-before"));
    }

    /** True if the 1-minute load average in {@code loads} ("1.0 0.5 0.2") is at least 1: something else was running. */
    private static boolean busy(String loads) {
        try {
            return Double.parseDouble(loads.trim().split("\\s+")[0]) >= 1.0;
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    /** The value of the option {@code --name=} in a command line as meta.txt records it, or "?". */
    static String option(String line, String name) {
        for (String word : line.split("\\s+")) {
            if (word.startsWith("--" + name + "=")) {
                return word.substring(name.length() + 3);
            }
        }
        return "?";
    }

    private String meta(String key) {
        return meta.stream().filter(m -> m.startsWith(key + ": ")).map(m -> m.substring(key.length() + 2)).findFirst().orElse("?");
    }

    private static List<String> csvFields(String row) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char ch : row.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }

    // ---------------------------------------------------------------- formatting

    private void line(String s) {
        md.append(s).append('\n');
    }

    /**
     * A table of the servers: its {@code header} and {@code align} lines, then a row for each server
     * that {@code shown} accepts, in the order the results first name them, then a blank line. A row
     * is the server's name, then {@code cells} of it (they end with {@code " |"}).
     */
    private void serverTable(String header, String align, Predicate<String> shown, Function<String, String> cells) {
        line(header);
        line(align);
        for (String s : servers) {
            if (shown.test(s)) {
                line("| " + s + " | " + cells.apply(s));
            }
        }
        line("");
    }

    private static String fmt(double v) {
        return v >= 100 ? f0(v) : f2(v);
    }

    static String f0(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%+.1f%%", v * 100);
    }
}

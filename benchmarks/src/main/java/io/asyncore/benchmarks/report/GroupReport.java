package io.asyncore.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The report's loop-group section (issue 16), from {@code group-results.txt}, which {@code run.sh}'s
 * scenario {@code group} has the native load generator write with {@code --loops=N}: for each server,
 * with 1 loop and with N, the server's CPU per round trip in 64-byte ping-pong at each C, the CPU of
 * its N busiest threads (its loops) and the connections each loop watches at the largest C, and its
 * connect rate; then the targets (N loops cost at most {@value #CPU_BOUND}× one loop's CPU
 * per round trip; the busiest loop thread, and the fullest loop, at most {@value #SPREAD_BOUND}× the
 * idlest), and what N loops on N cores should give. A server measured in the {@code SO_REUSEPORT}
 * mode is named {@code <server>-reuseport} and run with N loops only: its one-loop figures are those
 * of {@code <server>} (one loop is one listener either way). Every figure
 * is the median over the rounds, as in the rest of the report. No results, no section: the report is
 * then what it was without loop groups.
 */
final class GroupReport {
    static final String RESULTS = "group-results.txt";
    /** The group's own cost: CPU per round trip with N loops at most this times one loop's. */
    static final double CPU_BOUND = 1.05;
    /** The spread of the work over the loops: busiest loop thread's CPU at most this times the idlest's. */
    static final double SPREAD_BOUND = 1.1;
    /** The servers the targets are for; the others (Netty) are shown as a reference. */
    private static final List<String> JUDGED = List.of("callback", "coroutine");

    private static final String PINGPONG = "pingpong";
    private static final String CONNECT = "connect";
    /** The derived key of a ping-pong run's spread: its busiest loop thread's CPU over its idlest's. */
    private static final String SPREAD = "loop_spread";
    /** The derived keys of a ping-pong run's loop threads' CPU, by rank: loopcpu_0 the busiest. */
    private static final String LOOP_CPU = "loopcpu_";
    /** The derived key of a ping-pong run's connection spread: its fullest loop's connections over its emptiest's. */
    private static final String CONN_SPREAD = "conn_spread";
    /** The derived keys of the connections each loop watched, by rank: loopconns_0 the fullest. */
    private static final String LOOP_CONNS = "loopconns_";
    /** The suffix of a server measured with one {@code SO_REUSEPORT} listener per loop. */
    static final String REUSEPORT = "-reuseport";

    private final List<Run> runs;
    private final List<String> servers;
    private final List<String> cs;
    private final List<String> out = new ArrayList<>();

    private GroupReport(List<Run> runs) {
        this.runs = runs;
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.add(r.server()));
        servers = List.copyOf(names);
        cs = runs.stream().filter(r -> r.scenario().equals(PINGPONG)).map(r -> r.text("c")).distinct()
                .sorted(Comparator.comparingDouble(Double::parseDouble)).collect(Collectors.toList());
    }

    /** The section's Markdown lines, or none if the run measured no loop group. */
    static List<String> section(Path dir, List<String> meta) throws IOException {
        List<Run> runs = Run.readAll(dir.resolve(RESULTS));
        if (runs.isEmpty()) {
            return List.of();
        }
        runs.stream().filter(r -> r.scenario().equals(PINGPONG)).forEach(GroupReport::deriveSpread);
        GroupReport report = new GroupReport(runs);
        report.write(meta);
        return report.out;
    }

    /**
     * From a run's {@code loopcpu} list: each thread's figure as {@code loopcpu_<i>} (busiest first), and
     * busiest over idlest as {@value #SPREAD}, "na" with fewer than 2 loops or an idle one.
     */
    static void deriveSpread(Run r) {
        r.derive(SPREAD, spread(r, "loopcpu", LOOP_CPU));
        r.derive(CONN_SPREAD, spread(r, "loopconns", LOOP_CONNS));
    }

    /** Derives {@code prefix<i>} from the list under {@code key}, and returns its largest over its smallest ("na" if none). */
    private static String spread(Run r, String key, String prefix) {
        try {
            double[] values = Arrays.stream(r.text(key).split(",")).mapToDouble(Double::parseDouble).toArray();
            for (int i = 0; i < values.length; i++) {
                r.derive(prefix + i, Double.toString(values[i]));
            }
            double max = Arrays.stream(values).max().orElse(0);
            double min = Arrays.stream(values).min().orElse(0);
            return values.length >= 2 && min > 0 ? Double.toString(max / min) : "na";
        } catch (IllegalArgumentException e) { // not in the line (a run without --loops, an older generator), or not numbers
            return "na";
        }
    }

    private void write(List<String> meta) {
        String top = cs.isEmpty() ? null : cs.get(cs.size() - 1);
        line("## Loop groups (issue 16)");
        line("");
        line("Each server is started with `--loops 1` and with `--loops N` (a `LoopGroup` of N maps for the asyncore servers, "
                + "the coroutine one through `LoopGroupScope`; N event loops for Netty), one after the other in each round, "
                + "and driven by the native generator: 64-byte ping-pong at each C, then " + connections(meta) + " new connections "
                + "(*connects/s*, as in *Many connections*). *Accept* is how connections reach the loops: one acceptor on one "
                + "loop handing each to a loop in turn (`LoopGroup.listen`, the default), or one `SO_REUSEPORT` listener per loop "
                + "with the kernel choosing (`listenOnEachLoop`, `--reuseport`, the rows named *-reuseport*; their one-loop "
                + "baseline is the same server's one loop). *Server µs/RT* is the server's CPU (user + system, from `/proc`) per "
                + "round trip; *× 1 loop* is its ratio to the same server with one loop: the group's own cost. *Loop threads' CPU* "
                + "is the CPU (in cores) of the server's N busiest threads over the window at C = " + (top == null ? "?" : top)
                + ", from `/proc/PID/task/TID/stat`, busiest first; *busiest/idlest* is their ratio (median of each round's). "
                + "*Connections per loop* is what each of the server's N fullest epoll instances (its loops' selectors) watched at "
                + "the end of that window, from `/proc/PID/fdinfo` (a loop's count includes its selector's wake-up descriptor and "
                + "any listener), fullest first; *max/min* is their ratio. "
                + "*On N free cores* is N × (µs/RT with one loop) ÷ (µs/RT with N): the speed-up N loops would give if each had a core "
                + "of its own and nothing else were shared.");
        line("");
        line("Pinning: " + meta(meta, "group-pinning") + ". On this 2-core machine the generator needs a core, so round trips/s "
                + "cannot show the scaling: CPU per round trip and its spread over the loops are the figures that can.");
        line("");
        table(top);
        threadNames();
        targets(top);
        arithmetic();
    }

    private void table(String top) {
        StringBuilder header = new StringBuilder("| server | loops | accept |");
        StringBuilder align = new StringBuilder("|---|--:|---|");
        for (String c : cs) {
            header.append(" C = ").append(c).append(": round trips/s | server µs/RT | × 1 loop |");
            align.append("--:|--:|--:|");
        }
        line(header + " loop threads' CPU, C = " + top + " | busiest/idlest | connections per loop, C = " + top
                + " | max/min | on N free cores | connects/s | × 1 loop |");
        line(align + "---|--:|---|--:|--:|--:|--:|");
        for (String s : servers) {
            for (String loops : loopCounts(s)) {
                String accept = loops.equals("1") ? "one listener" : s.endsWith(REUSEPORT) ? "SO_REUSEPORT per loop" : "one acceptor";
                StringBuilder row = new StringBuilder("| " + s + " | " + loops + " | " + accept + " |");
                for (String c : cs) {
                    row.append(' ').append(num(median(s, loops, PINGPONG, c, "rtps"), Report::f0)).append(" | ")
                            .append(num(median(s, loops, PINGPONG, c, "srvus_per_rt"), Report::f2)).append(" | ")
                            .append(toOne(s, loops, PINGPONG, c, "srvus_per_rt")).append(" |");
                }
                row.append(' ').append(perLoop(s, loops, top, LOOP_CPU, Report::f2)).append(" | ")
                        .append(num(median(s, loops, PINGPONG, top, SPREAD), Report::f2)).append(" | ")
                        .append(perLoop(s, loops, top, LOOP_CONNS, Report::f0)).append(" | ")
                        .append(num(median(s, loops, PINGPONG, top, CONN_SPREAD), Report::f2)).append(" | ")
                        .append(freeCores(s, loops, top)).append(" | ")
                        .append(num(median(s, loops, CONNECT, null, "connps"), Report::f0)).append(" | ")
                        .append(toOne(s, loops, CONNECT, null, "connps")).append(" |");
                line(row.toString());
            }
        }
        line("");
    }

    /** Which threads were the busiest, by the names {@code /proc} gives them (the kernel keeps 15 characters). */
    private void threadNames() {
        List<String> named = new ArrayList<>();
        for (String s : servers) {
            for (String loops : loopCounts(s)) {
                select(s, loops, PINGPONG, null).stream().filter(r -> has(r, "loopthreads")).findFirst()
                        .ifPresent(r -> named.add(s + " × " + loops + ": `" + r.text("loopthreads").replace(",", "`, `") + "`"));
            }
        }
        if (!named.isEmpty()) {
            line("The busiest threads, as `/proc` names them (cut to 15 characters by the kernel; `java` is the main thread, "
                    + "which runs the one loop of the asyncore servers with `--loops 1`): " + String.join("; ", named) + ".");
            line("");
        }
    }

    private void targets(String top) {
        line("| loop-group target | measured | verdict |");
        line("|---|---|---|");
        for (String s : servers) {
            for (String loops : loopCounts(s)) {
                if (loops.equals("1")) {
                    continue;
                }
                String base = oneLoop(s);
                for (String c : cs) {
                    target(s, s + ": " + loops + " loops, server CPU per round trip ≤ " + CPU_BOUND + "× one loop, C = " + c,
                            median(s, loops, PINGPONG, c, "srvus_per_rt"), median(base, "1", PINGPONG, c, "srvus_per_rt"), CPU_BOUND, true);
                }
                double spread = median(s, loops, PINGPONG, top, SPREAD);
                target(s, s + ": " + loops + " loops, busiest loop thread's CPU ≤ " + SPREAD_BOUND + "× the idlest's, C = " + top,
                        spread, 1, SPREAD_BOUND, false);
                double connSpread = median(s, loops, PINGPONG, top, CONN_SPREAD);
                target(s, s + ": " + loops + " loops, fullest loop's connections ≤ " + SPREAD_BOUND + "× the emptiest's, C = " + top,
                        connSpread, 1, SPREAD_BOUND, false);
                double connps = median(s, loops, CONNECT, null, "connps");
                double one = median(base, "1", CONNECT, null, "connps");
                line("| " + s + ": connect rate, " + loops + " loops against one | "
                        + (Double.isNaN(connps) || Double.isNaN(one) ? "not measured"
                                : Report.f2(connps / one) + "× (" + Report.f0(connps) + " vs " + Report.f0(one) + " connects/s)")
                        + " | — |");
            }
        }
        line("");
        if (!servers.stream().map(s -> oneLoop(s).replace(REUSEPORT, "")).allMatch(JUDGED::contains)) {
            line("Verdicts are for the asyncore servers; the others' rows, marked *reference*, show how the same bounds fare on "
                    + "their groups.");
            line("");
        }
    }

    /** A row: {@code x} (over {@code base} when {@code ratio}) at most {@code bound}. */
    private void target(String server, String what, double x, double base, double bound, boolean ratio) {
        if (Double.isNaN(x) || Double.isNaN(base)) {
            line("| " + what + " | not measured | — |");
            return;
        }
        double r = x / base;
        String verdict = !JUDGED.contains(oneLoop(server).replace(REUSEPORT, "")) ? "reference" : r <= bound ? "met" : "**missed**";
        line("| " + what + " | " + Report.f2(r) + "×" + (ratio ? " (" + Report.f2(x) + " vs " + Report.f2(base) + " µs)" : "")
                + " | " + verdict + " |");
    }

    private void arithmetic() {
        line("### What N loops on N cores should give");
        line("");
        line("A connection lives on one loop, and an echo's work (the read, the handler, the write, and the kernel's TCP work "
                + "for them, which `/proc` counts as the server's system time) touches nothing another loop touches: no lock, no "
                + "shared buffer, no shared selector. So with s µs of server CPU per round trip, one loop on one core serves at most "
                + "10^6 / s round trips per second, and N loops on N cores N × 10^6 / s: near-linear scaling, with CPU per round trip "
                + "flat, until something the loops do share runs out: the NIC or the loopback path's softirq work, memory bandwidth "
                + "and the last-level cache (a 64-byte echo needs little of either), the listener for new connections (one "
                + "acceptor hands off to every loop, so the connect rate is bounded by one thread's accepts; with `SO_REUSEPORT` "
                + "each loop accepts its own, and the bound becomes the kernel's), or, as here, the load generator. The *on N free cores* column is that arithmetic applied to the figures measured: it is N exactly "
                + "when the group costs nothing per round trip, and less by the group's overhead. On this 2-core machine the "
                + "generator takes a core's worth of CPU at these loads, so it cannot be shown by throughput. One cost the "
                + "arithmetic leaves out shows here: while the generator sets the pace, each of N loops finds about 1/N of the "
                + "ready connections per wake-up, so the fixed cost of a wake-up (the `epoll_wait`, the selector's bookkeeping) "
                + "is spread over fewer round trips; that is lost batching, not a cost of the group's hand-off or of any lock, and "
                + "it fades once the loops are busy.");
        line("");
        line("Netty's published scaling: a search of the stored documentation and pages (issue 16) found no figures from the "
                + "Netty project of throughput against the number of event loops. Netty documents the model (a channel bound to one "
                + "event loop for its life) and its default of 2 × the available processors "
                + "(`MultithreadEventLoopGroup`, `io.netty.eventLoopThreads`), not a scaling curve. The nearest third-party figures: "
                + "a Netty 4.2 benchmark on an 8-core Xeon (\"Does Netty's io_uring make the 2× CPU thread rule obsolete?\", "
                + "besthub.dev) found io_uring with 8 loops about 3 % above epoll with 16, i.e. throughput set by the cores, not by "
                + "loops beyond them; and Tim Fox's 2012 measurement (gist.github.com/purplefox/2653345) of one Node.js process "
                + "against a cluster of them, about 27,800 against 58,000 messages/s, the same one-loop-per-core arithmetic on another "
                + "runtime. The `netty-nio` rows above, with the same pinning on the same machine, are the comparison this report "
                + "can make.");
        line("");
    }

    // ---------------------------------------------------------------- lookups and cells

    /**
     * The server whose one-loop figures {@code server}'s N loops are compared with: itself, or for a
     * {@code -reuseport} server measured without one loop, the same server in the default mode.
     */
    private String oneLoop(String server) {
        if (server.endsWith(REUSEPORT) && !loopCounts(server).contains("1")) {
            return server.substring(0, server.length() - REUSEPORT.length());
        }
        return server;
    }

    /** The loop counts {@code server} was measured with, smallest first. */
    private List<String> loopCounts(String server) {
        return runs.stream().filter(r -> r.server().equals(server)).map(r -> r.text("loops")).distinct()
                .sorted(Comparator.comparingInt(Integer::parseInt)).collect(Collectors.toList());
    }

    private List<Run> select(String server, String loops, String scenario, String c) {
        return runs.stream().filter(r -> r.server().equals(server) && r.text("loops").equals(loops) && r.scenario().equals(scenario)
                && (c == null || r.text("c").equals(c))).collect(Collectors.toList());
    }

    private double median(String server, String loops, String scenario, String c, String key) {
        List<Run> rs = select(server, loops, scenario, c).stream().filter(r -> has(r, key)).collect(Collectors.toList());
        return Report.median(rs, key);
    }

    private static boolean has(Run r, String key) {
        try {
            r.text(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code server}'s median with {@code loops} loops over its median with one; a dash for one loop or a missing figure. */
    private String toOne(String server, String loops, String scenario, String c, String key) {
        double x = median(server, loops, scenario, c, key);
        double one = median(oneLoop(server), "1", scenario, c, key);
        return loops.equals("1") || Double.isNaN(x) || Double.isNaN(one) ? "—" : Report.f2(x / one);
    }

    /** N × one loop's µs/RT ÷ N loops' µs/RT at C = {@code c}. */
    private String freeCores(String server, String loops, String c) {
        double n = median(server, loops, PINGPONG, c, "srvus_per_rt");
        double one = median(oneLoop(server), "1", PINGPONG, c, "srvus_per_rt");
        return Double.isNaN(n) || Double.isNaN(one) ? "—" : Report.f2(Integer.parseInt(loops) * one / n);
    }

    /**
     * The median of each loop's figure under {@code prefix} by rank over the rounds, largest first:
     * the loop threads' CPU, e.g. "0.48, 0.46", or their connections, e.g. "501, 501".
     */
    private String perLoop(String server, String loops, String c, String prefix, java.util.function.DoubleFunction<String> format) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(loops); i++) {
            double value = median(server, loops, PINGPONG, c, prefix + i);
            if (!Double.isNaN(value)) {
                cells.add(format.apply(value));
            }
        }
        return cells.isEmpty() ? "n/a" : String.join(", ", cells);
    }

    private static String num(double v, java.util.function.DoubleFunction<String> format) {
        return Double.isNaN(v) ? "n/a" : format.apply(v);
    }

    private static String connections(List<String> meta) {
        for (String word : meta(meta, "group-generator").split("\\s+")) {
            if (word.startsWith("--scale=")) {
                return Report.f0(Double.parseDouble(word.substring("--scale=".length())));
            }
        }
        return "N";
    }

    private static String meta(List<String> meta, String key) {
        return meta.stream().filter(m -> m.startsWith(key + ": ")).map(m -> m.substring(key.length() + 2)).findFirst().orElse("?");
    }

    private void line(String s) {
        out.add(s);
    }
}

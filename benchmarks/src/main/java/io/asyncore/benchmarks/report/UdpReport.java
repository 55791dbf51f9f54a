package io.asyncore.benchmarks.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * The report's datagram section (issue 14), from {@code udp-results.txt}, which {@code run.sh}'s
 * scenario {@code udp} has the native load generator write: for each datagram echo server at each C,
 * round trips/s, p50 and p99 latency and the server's CPU per round trip, each as a multiple of the
 * callback datagram echo's ({@value #CALLBACK}) in the same run, and the datagrams lost; then the
 * issue's target, the coroutine datagram socket's round trips/s at least {@value #BOUND}× the callback
 * echo's at every C. Every figure is the median over the rounds, as in the rest of the report. No
 * results, no section: the report is then what it was without datagrams.
 */
final class UdpReport {
    static final String RESULTS = "udp-results.txt";
    static final String FLOOR = "udp-raw-nio";
    static final String CALLBACK = "udp-callback";
    static final String COROUTINE = "udp-coroutine";
    /** The coroutine datagram echo's round trips/s at least this times the callback one's. */
    static final double BOUND = 0.9;

    private static final String UDP = "udp";

    private final List<Run> runs;
    private final List<String> servers;
    private final List<String> cs;
    private final List<String> meta;
    private final List<String> out = new ArrayList<>();

    private UdpReport(List<Run> runs, List<String> meta) {
        this.runs = runs;
        this.meta = meta;
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.add(r.server()));
        servers = List.copyOf(names);
        cs = runs.stream().map(r -> r.text("c")).distinct().sorted(Comparator.comparingDouble(Double::parseDouble))
                .collect(Collectors.toList());
    }

    /** The section's Markdown lines, or none if the run measured no datagram server. */
    static List<String> section(Path dir, List<String> meta) throws IOException {
        List<Run> runs = Run.readAll(dir.resolve(RESULTS)).stream().filter(r -> r.scenario().equals(UDP)).collect(Collectors.toList());
        if (runs.isEmpty()) {
            return List.of();
        }
        UdpReport report = new UdpReport(runs, meta);
        report.write();
        return report.out;
    }

    private void write() {
        line("## Datagrams (issue 14)");
        line("");
        line("64-byte datagram ping-pong over UDP on loopback: the native generator opens C UDP sockets, each connected to the "
                + "server's port, and each keeps one datagram in flight, sending the next as soon as the echo of the last arrives; "
                + "every echo is compared with the datagram sent. A datagram unanswered for " + option("udp-timeout") + " ms is "
                + "counted *lost* and the socket sends the next one; an echo that still comes after that is counted *late* and "
                + "dropped. Latency is from sending a datagram to its echo (lost ones are not in it). *Server µs/RT* is the "
                + "server's CPU (user + system, from `/proc`) per round trip; *× callback* is the ratio to `" + CALLBACK + "`, "
                + "a core `Dispatcher` on a datagram socket (`recvFrom`, then `sendTo`), in the same run. `" + FLOOR + "` is a "
                + "hand-written `DatagramChannel` and `Selector` loop, the floor; it and the callback server drain their socket on each "
                + "read event, into one direct buffer.");
        line("");
        line("| server | C | round trips/s | × callback | p50 µs | p99 µs | server µs/RT | × callback | lost / late | server CPU "
                + "| generator CPU |");
        line("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for (String c : cs) {
            for (String s : servers) {
                if (select(s, c).isEmpty()) {
                    continue;
                }
                line("| " + s + " | " + c + " | " + num(s, c, "rtps", Report::f0) + " | " + toCallback(s, c, "rtps") + " | "
                        + num(s, c, "p50us", Report::f1) + " | " + num(s, c, "p99us", Report::f1) + " | "
                        + num(s, c, "srvus_per_rt", Report::f2) + " | " + toCallback(s, c, "srvus_per_rt") + " | "
                        + num(s, c, "lost", Report::f0) + " / " + num(s, c, "late", Report::f0) + " | "
                        + num(s, c, "srvcpu", Report::f2) + " | " + num(s, c, "gencpu", Report::f2) + " |");
            }
        }
        line("");
        targets();
    }

    private void targets() {
        line("| datagram target | measured | verdict |");
        line("|---|---|---|");
        String what = "coroutine datagram round trips/s ≥ " + BOUND + "× callback datagram echo";
        boolean any = false;
        for (String c : cs) {
            double x = median(COROUTINE, c, "rtps");
            double y = median(CALLBACK, c, "rtps");
            if (Double.isNaN(x) || Double.isNaN(y)) {
                continue;
            }
            any = true;
            double r = x / y;
            String note = Math.max(median(COROUTINE, c, "gencpu"), median(CALLBACK, c, "gencpu")) >= 0.95 ? " (generator-bound)" : "";
            line("| " + what + ", C = " + c + " | " + Report.f2(r) + "× (" + Report.f0(x) + " vs " + Report.f0(y) + "); server µs/RT "
                    + num(COROUTINE, c, "srvus_per_rt", Report::f2) + " vs " + num(CALLBACK, c, "srvus_per_rt", Report::f2) + " | "
                    + (r >= BOUND ? "met" : "**missed**") + note + " |");
        }
        if (!any) {
            line("| " + what + " | " + notMeasured() + " | — |");
        }
        for (String c : cs) {
            double x = median(CALLBACK, c, "rtps");
            double floor = median(FLOOR, c, "rtps");
            if (!Double.isNaN(x) && !Double.isNaN(floor)) {
                line("| callback datagram echo against the raw NIO floor, C = " + c + " | " + Report.f2(x / floor) + "× ("
                        + Report.f0(x) + " vs " + Report.f0(floor) + "); server µs/RT " + num(CALLBACK, c, "srvus_per_rt", Report::f2)
                        + " vs " + num(FLOOR, c, "srvus_per_rt", Report::f2) + " | — |");
            }
        }
        line("");
        line("A target judged while the generator was saturated (its CPU ≥ 0.95 core) is marked *generator-bound*: server CPU "
                + "per round trip is then the sharper figure.");
        line("");
    }

    /** Why the target has no figure: the coroutine server's first failure in meta.txt, else "not measured". */
    private String notMeasured() {
        return meta.stream().filter(m -> m.startsWith("failed: " + COROUTINE + "|")).findFirst()
                .map(m -> "not measured: " + m.substring(m.indexOf('|') + 1)).orElse("not measured");
    }

    // ---------------------------------------------------------------- lookups and cells

    private List<Run> select(String server, String c) {
        return runs.stream().filter(r -> r.server().equals(server) && r.text("c").equals(c)).collect(Collectors.toList());
    }

    /** The median over the rounds; NaN when not measured or when the generator wrote no such figure. */
    private double median(String server, String c, String key) {
        List<Run> rs = select(server, c);
        try {
            return Report.median(rs, key);
        } catch (IllegalArgumentException e) { // a line without the key
            return Double.NaN;
        }
    }

    private String num(String server, String c, String key, DoubleFunction<String> format) {
        double x = median(server, c, key);
        return Double.isNaN(x) ? "n/a" : format.apply(x);
    }

    private String toCallback(String server, String c, String key) {
        double x = median(server, c, key);
        double y = median(CALLBACK, c, key);
        return Double.isNaN(x) || Double.isNaN(y) ? "—" : Report.f2(x / y);
    }

    /** The value of the generator's option {@code --name=} in meta.txt's udp-generator line, or "?". */
    private String option(String name) {
        return Report.option(meta.stream().filter(m -> m.startsWith("udp-generator: ")).findFirst().orElse(""), name);
    }

    private void line(String s) {
        out.add(s);
    }
}

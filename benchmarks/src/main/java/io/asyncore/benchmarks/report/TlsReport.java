package io.asyncore.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The report's TLS section (issue 13), from {@code tls-results.txt}, which {@code run.sh} has
 * {@code benchmarks/native/tlsgen.c} write: for each TLS server, the server's CPU per round trip
 * at C = 50, per echoed byte and per handshake, and its live heap per idle TLS connection, each as
 * a multiple of the floor ({@value #FLOOR}: a hand-written NIO loop with one JDK {@code SSLEngine}
 * per connection) in the same run, then the targets. Every figure is the median over the
 * rounds, as in the rest of the report. No results, no section: the report is then what it was
 * without TLS.
 */
final class TlsReport {
    static final String FLOOR = "tls-raw-nio";
    static final String ASYNCORE = "tls-callback";
    static final String NETTY = "tls-netty";
    static final String ASYNCORE_BORINGSSL = "tls-callback-boringssl";
    static final String RESULTS = "tls-results.txt";

    private static final String PINGPONG = "tls-pingpong";
    private static final String BULK = "tls-bulk";
    private static final String HANDSHAKE = "tls-handshake";
    private static final String IDLE = "tls-idle";
    /** The JDK engine's bound relative to the floor, on every figure but memory. */
    private static final double BOUND = 1.1;

    private final List<Run> runs;
    private final List<String> servers;
    private final List<String> out = new ArrayList<>();

    private TlsReport(List<Run> runs) {
        this.runs = runs;
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.add(r.server()));
        servers = List.copyOf(names);
    }

    /** The section's Markdown lines, or none if the run measured no TLS server. */
    static List<String> section(Path dir, List<String> meta) throws IOException {
        List<Run> runs = Run.readAll(dir.resolve(RESULTS));
        if (runs.isEmpty()) {
            return List.of();
        }
        runs.stream().filter(r -> r.scenario().equals(BULK)).forEach(Report::deriveCpuPerByte);
        TlsReport report = new TlsReport(runs);
        report.write(meta);
        return report.out;
    }

    private void write(List<String> meta) {
        line("## TLS (issue 13)");
        line("");
        line("TLS 1.3 with TLS_AES_128_GCM_SHA256 over X25519: the generator (`benchmarks/native/tlsgen.c`, C with OpenSSL, "
                + "one thread on its own core) offers nothing else and checks every connection, and no session is resumed. "
                + "Certificate: " + meta(meta, "tls-certificate") + ". Each server process first gets the same warm-up ("
                + warmUp(meta) + "), then: ping-pong with one 64-byte message in flight on each of C connections; bulk echo "
                + "of 16 KiB records on one connection; handshakes, each a new connection with a full handshake, one 64-byte "
                + "echo, close_notify and close, " + window(meta) + " in flight; and N connections opened and held idle, "
                + "with the server's live heap read before and after, each right after a full GC (`jcmd GC.class_histogram`). "
                + "Figures are the server's CPU (user + system, from `/proc`) per unit of work, medians over the rounds; "
                + "*× floor* is the ratio to `" + FLOOR + "`, a hand-written NIO loop with one JDK `SSLEngine` per connection, "
                + "in the same run.");
        line("");
        table("| server | engine | server µs/RT (C = " + first(PINGPONG, "c") + ") | × floor | server ns per echoed byte | × floor "
                        + "| server CPU ms per handshake | × floor | live heap KB per idle connection | × floor |",
                "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
                s -> engine(s) + " | " + cell(s, PINGPONG, "srvus_per_rt") + " | " + cell(s, BULK, Report.NS_PER_BYTE) + " | "
                        + cell(s, HANDSHAKE, "srvms_per_hs") + " | " + cell(s, IDLE, "heap_per_conn_kb") + " |");
        table("| server | round trips/s | p50 µs | p99 µs | MB/s | handshakes/s | idle connections N | RSS KB per idle connection "
                        + "| generator CPU: ping-pong, bulk, handshakes |",
                "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
                s -> num(s, PINGPONG, "rtps", Report::f0) + " | " + num(s, PINGPONG, "p50us", Report::f1) + " | "
                        + num(s, PINGPONG, "p99us", Report::f1) + " | " + num(s, BULK, "mbps", Report::f0) + " | "
                        + num(s, HANDSHAKE, "hsps", Report::f0) + " | " + num(s, IDLE, "n", Report::f0) + " | "
                        + num(s, IDLE, "rss_per_conn_kb", Report::f2) + " | " + num(s, PINGPONG, "gencpu", Report::f2) + ", "
                        + num(s, BULK, "gencpu", Report::f2) + ", " + num(s, HANDSHAKE, "gencpu", Report::f2) + " |");
        targets();
    }

    private void targets() {
        line("| TLS target | measured | verdict |");
        line("|---|---|---|");
        target(ASYNCORE + " server CPU per round trip ≤ " + BOUND + "× floor", PINGPONG, "srvus_per_rt", FLOOR, BOUND);
        target(ASYNCORE + " server CPU per echoed byte ≤ " + BOUND + "× floor", BULK, Report.NS_PER_BYTE, FLOOR, BOUND);
        target(ASYNCORE + " server CPU per handshake ≤ " + BOUND + "× floor", HANDSHAKE, "srvms_per_hs", FLOOR, BOUND);
        target(ASYNCORE + " live heap per idle TLS connection ≤ the floor's", IDLE, "heap_per_conn_kb", FLOOR, 1.0);
        target(ASYNCORE + " server CPU per round trip ≤ Netty's (JDK engine)", PINGPONG, "srvus_per_rt", NETTY, 1.0);
        target(ASYNCORE + " server CPU per echoed byte ≤ Netty's (JDK engine)", BULK, Report.NS_PER_BYTE, NETTY, 1.0);
        target(ASYNCORE + " server CPU per handshake ≤ Netty's (JDK engine)", HANDSHAKE, "srvms_per_hs", NETTY, 1.0);
        double boring = median(ASYNCORE_BORINGSSL, HANDSHAKE, "srvms_per_hs");
        double jdk = median(ASYNCORE, HANDSHAKE, "srvms_per_hs");
        line("| " + ASYNCORE_BORINGSSL + ": `startTls` with a BoringSSL engine, CPU per handshake against the JDK engine's | "
                + (Double.isNaN(boring) || Double.isNaN(jdk) ? "not measured"
                        : Report.f2(boring / jdk) + "× (" + Report.f2(boring) + " vs " + Report.f2(jdk) + " ms)") + " | — |");
        line("");
        line("The memory target also asks that an idle TLS connection hold no packet or application buffer; the heap figure "
                + "is the whole of what each connection keeps (its engine, channel, key and handler) after a full GC.");
        line("");
    }

    /** {@code server}'s median {@code key} at most {@code bound} times {@code base}'s. */
    private void target(String what, String scenario, String key, String base, double bound) {
        double x = median(ASYNCORE, scenario, key);
        double y = median(base, scenario, key);
        if (Double.isNaN(x) || Double.isNaN(y)) {
            line("| " + what + " | not measured | — |");
            return;
        }
        double r = x / y;
        line("| " + what + " | " + Report.f2(r) + "× (" + Report.f2(x) + " vs " + Report.f2(y) + ") | "
                + (r <= bound ? "met" : "**missed**") + " |");
    }

    // ---------------------------------------------------------------- cells

    private static String engine(String server) {
        return server.contains("boringssl") ? "BoringSSL (netty-tcnative)" : "JDK";
    }

    /** Two cells: the median figure, then its ratio to the floor's. */
    private String cell(String server, String scenario, String key) {
        double x = median(server, scenario, key);
        double floor = median(FLOOR, scenario, key);
        return (Double.isNaN(x) ? "n/a" : Report.f2(x)) + " | " + (Double.isNaN(x) || Double.isNaN(floor) ? "—" : Report.f2(x / floor));
    }

    private String num(String server, String scenario, String key, Function<Double, String> format) {
        double x = median(server, scenario, key);
        return Double.isNaN(x) ? "n/a" : format.apply(x);
    }

    private double median(String server, String scenario, String key) {
        List<Run> rs = runs.stream().filter(r -> r.server().equals(server) && r.scenario().equals(scenario)).collect(Collectors.toList());
        return Report.median(rs, key);
    }

    private String first(String scenario, String key) {
        return runs.stream().filter(r -> r.scenario().equals(scenario)).map(r -> r.text(key)).findFirst().orElse("?");
    }

    private static String meta(List<String> meta, String key) {
        return meta.stream().filter(m -> m.startsWith(key + ": ")).map(m -> m.substring(key.length() + 2)).findFirst().orElse("?");
    }

    /** "35 s of handshakes, 1536 MiB of bulk echo, then ping-pong", from the generator's options in meta.txt. */
    private static String warmUp(List<String> meta) {
        String g = meta(meta, "tls-generator");
        return Report.option(g, "warm-handshakes") + " s of handshakes, " + Report.option(g, "warm-bulk") + " MiB of bulk echo, then 2 s of ping-pong";
    }

    private static String window(List<String> meta) {
        return Report.option(meta(meta, "tls-generator"), "window");
    }

    // ---------------------------------------------------------------- output

    private void line(String s) {
        out.add(s);
    }

    /** A table with a row for each server, in the order the results first name them, then a blank line. */
    private void table(String header, String align, Function<String, String> cells) {
        line(header);
        line(align);
        for (String s : servers) {
            line("| " + s + " | " + cells.apply(s));
        }
        line("");
    }
}

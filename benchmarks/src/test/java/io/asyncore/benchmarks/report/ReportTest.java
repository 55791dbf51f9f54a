package io.asyncore.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class ReportTest {
    @TempDir
    Path dir;

    private static final List<String> META = List.of(
            "mode: full", "date: 2026-01-01 00:00 UTC", "load-before: 0.1 0.1 0.1", "load-after: 0.2 0.2 0.2",
            "machine: 2 CPUs", "java: test", "maven-java: 17", "pinning: none", "server-jvm: -Xmx1g",
            "generator-jvm: -Xmx1g", "generator: --seconds=4", "jmh: -f 1", "nofile: 20000",
            "pending: chat|asyncore AsyncChat line echo|branch chat, not merged yet");

    private String render(String... results) throws IOException {
        return renderWith(META, results);
    }

    private String renderWith(List<String> meta, String... results) throws IOException {
        Files.write(dir.resolve("meta.txt"), meta);
        Files.write(dir.resolve("results.txt"), List.of(results));
        return Report.render(dir, dir.resolve("no-notes.md"));
    }

    private static String pingPong(String server, int c, int rep, double rtps, double micros, double gencpu) {
        return "server=" + server + " scenario=pingpong rep=" + rep + " c=" + c + " rtps=" + rtps + " rts=1 seconds=4"
                + " p50us=1 p99us=2 p999us=3 srvus_per_rt=" + micros + " srvcpu=1.0 gencpu=" + gencpu;
    }

    @Test
    void theReportDrawsItsHeadlineComparisonsAsSvgChartsAndShowsThem() throws IOException {
        Files.write(dir.resolve("meta.txt"), META);
        Files.write(dir.resolve("results.txt"), List.of(
                pingPong("callback", 1, 1, 20_000, 9, 0.5), pingPong("callback", 50, 1, 110_000, 6, 0.5),
                pingPong("raw-nio", 1, 1, 21_000, 8, 0.5), pingPong("raw-nio", 50, 1, 100_000, 6, 0.5),
                "server=raw-nio scenario=bulk rep=1 mbps=2800 bytes=1 seconds=4 srvcpu=0.96 gencpu=0.9"));
        Path out = dir.resolve("out/BENCHMARKS.md");
        Files.createDirectories(out.getParent());
        Path charts = dir.resolve("charts");
        Report.main(new String[] {dir.toString(), dir.resolve("no-notes.md").toString(), out.toString(), charts.toString()});
        String md = Files.readString(out);
        assertTrue(md.contains("## Charts"), md);
        assertTrue(md.contains("![pingpong-rtps](../charts/pingpong-rtps.svg)"), md);
        assertTrue(md.contains("![bulk](../charts/bulk.svg)"), md);
        assertTrue(!md.contains("memory.svg"), "no chart for a scenario that did not run: " + md);
        String rtps = Files.readString(charts.resolve("pingpong-rtps.svg"));
        assertTrue(rtps.startsWith("<svg") || rtps.startsWith("<?xml"), rtps);
        for (String label : List.of("callback", "raw-nio", "C = 1", "C = 50")) {
            assertTrue(rtps.contains(label), label + " in " + rtps);
        }
        assertTrue(Files.readString(charts.resolve("bulk-cpu.svg")).contains("ns per byte"));
    }

    @Test
    void ratiosUseTheMedianRepetitionOfEachServer() throws IOException {
        String md = render(
                pingPong("callback", 50, 1, 90_000, 6, 0.5), pingPong("callback", 50, 2, 110_000, 6, 0.5),
                pingPong("callback", 50, 3, 200_000, 6, 0.5),
                pingPong("raw-nio", 50, 1, 100_000, 6, 0.5), pingPong("netty-nio", 50, 1, 80_000, 8, 0.5));
        assertTrue(md.contains("| callback round trips/s ≥ 0.95× raw NIO, C = 50 | 1.10× (110,000 vs 100,000) | met |"), md);
        assertTrue(md.contains("| callback round trips/s ≥ 1.0× Netty NIO, C = 50 | 1.38× (110,000 vs 80,000) | met |"), md);
        assertTrue(md.contains("| callback | 110,000 | 1.38 | 1.10 |"), md);
    }

    @Test
    void aRunIsPreliminaryWhenTheCpusWereBusyBeforeItWithNothingOfItsOwnRunning() throws IOException {
        List<String> busy = new java.util.ArrayList<>(META);
        busy.add("busy-before: 0.35");
        String md = renderWith(busy, pingPong("callback", 50, 1, 90_000, 6, 0.5));
        assertTrue(md.contains("**Preliminary: 35 % of the CPUs were busy in the 10 s before the first server started"), md);
        List<String> quiet = new java.util.ArrayList<>(META);
        quiet.set(2, "load-before: 1.9 0.5 0.2"); // the build's own load: not a sign of other work
        quiet.add("busy-before: 0.02");
        String calm = renderWith(quiet, pingPong("callback", 50, 1, 90_000, 6, 0.5));
        assertTrue(!calm.contains("Preliminary"), calm);
        assertTrue(calm.contains("with nothing of the benchmark running: 2 %"), calm);
        List<String> unmeasured = new java.util.ArrayList<>(META);
        unmeasured.set(2, "load-before: 1.9 0.5 0.2");
        unmeasured.add("busy-before: "); // not measured: the load average is all there is to go by
        String fallback = renderWith(unmeasured, pingPong("callback", 50, 1, 90_000, 6, 0.5));
        assertTrue(fallback.contains("**Preliminary: the 1-minute load average was 1.9"), fallback);
    }

    @Test
    void systemCallsAreShownPerRoundTripFromPerfCounts() throws IOException {
        List<String> meta = new java.util.ArrayList<>(META);
        meta.add("syscall-window: 2");
        Files.write(dir.resolve("syscalls-results.txt"), List.of(pingPong("callback", 50, 1, 50_000, 6, 0.9)));
        Files.write(dir.resolve("callback.syscalls.csv"), List.of(
                "# started on Sun Nov 22 09:00:00 2026", "",
                "100000,,syscalls:sys_enter_read,2000000000,100.00,,", "100000,,syscalls:sys_enter_write,2000000000,100.00,,",
                "5000,,syscalls:sys_enter_epoll_wait,2000000000,100.00,,", "3,,syscalls:sys_enter_futex,2000000000,100.00,,",
                "0,,syscalls:sys_enter_close,2000000000,100.00,,", "<not counted>,,syscalls:sys_enter_open,0,100.00,,"));
        Files.write(dir.resolve("syscalls-results.txt"), List.of(pingPong("callback", 50, 1, 50_000, 6, 0.9),
                pingPong("platform-threads", 50, 1, 40_000, 9, 0.9)));
        Files.write(dir.resolve("platform-threads.syscalls.csv"), List.of("# started on Sun Nov 22 09:00:00 2026", ""));
        String md = renderWith(meta, pingPong("callback", 50, 1, 90_000, 6, 0.5), pingPong("platform-threads", 50, 1, 80_000, 9, 0.5));
        assertTrue(md.contains("| server | read | write | epoll_wait | all |"), md);
        assertTrue(md.contains("| callback | 1.00 | 1.00 | 0.05 | 2.05 |"), md);
        assertTrue(!md.contains("| platform-threads | 0.00"), md);
        assertTrue(md.contains("Not counted, perf wrote no counts: platform-threads."), md);
        Files.write(dir.resolve("platform-threads.syscalls.err"), List.of("Error:", "Too many events are opened."));
        String withReason = renderWith(meta, pingPong("callback", 50, 1, 90_000, 6, 0.5), pingPong("platform-threads", 50, 1, 80_000, 9, 0.5));
        assertTrue(withReason.contains("platform-threads (perf: \"Error: Too many events are opened.\")."), withReason);
    }

    private static String scale(String server, int rep, double connps, double rssPerConn, String heapPerConn) {
        return "server=" + server + " scenario=scale rep=" + rep + " n=10000 connps=" + connps + " seconds=1 rss_before_kb=102400"
                + " rss_after_kb=112640 rss_per_conn_kb=" + rssPerConn + " heap_per_conn_kb=" + heapPerConn + " srvcpu=1 gencpu=0.5";
    }

    private static String idle(String scenario, int rep, double rtps, double micros) {
        return "server=callback scenario=" + scenario + " rep=" + rep + " c=50 rtps=" + rtps + " rts=1 seconds=5 p50us=1 p99us=2"
                + " p999us=3 srvus_per_rt=" + micros + " srvcpu=1 gencpu=0.6" + (scenario.equals("idle") ? " idle=10000" : "");
    }

    @Test
    void everyFigureIsItsOwnMedianOverTheRounds() throws IOException {
        // Round 3 has the median round trips/s but the highest server CPU per round trip: each column takes its own median.
        String md = render(
                pingPong("callback", 50, 1, 90_000, 5, 0.5), pingPong("callback", 50, 2, 200_000, 6, 0.5),
                pingPong("callback", 50, 3, 110_000, 9, 0.5),
                pingPong("raw-nio", 50, 1, 100_000, 6, 0.5), pingPong("raw-nio", 50, 2, 100_000, 8, 0.5));
        assertTrue(md.contains("| callback | 110,000 | — | 1.10 | 1.0 | 2.0 | 3.0 | 6.00 | 0.86 |"), md);
        // Two rounds: the mean of the middle two.
        assertTrue(md.contains("| raw-nio | 100,000 | — | 1.00 | 1.0 | 2.0 | 3.0 | 7.00 | 1.00 |"), md);
        assertTrue(md.contains("| callback server CPU per round trip ≤ 1.1× raw NIO, C = 50 | 0.86× (6.00 vs 7.00) | met |"), md);
    }

    @Test
    void theConnectionScaleRunIsTheMedianOfItsRounds() throws IOException {
        String md = render(
                scale("callback", 1, 9_000, 0.9, "0.80"), scale("callback", 2, 12_000, 0.7, "na"), scale("callback", 3, 10_000, 0.8, "0.70"),
                scale("raw-nio", 1, 13_000, 0.6, "0.60"), scale("raw-nio", 2, 10_000, 0.8, "0.70"), scale("raw-nio", 3, 11_000, 0.7, "0.65"));
        assertTrue(md.contains("| callback connect rate ≥ 0.9× raw NIO | 0.91× (10,000 vs 11,000) | met |"), md);
        assertTrue(md.contains("| callback memory per idle connection ≤ 1.2× raw NIO | 1.14× (0.80 vs 0.70) | met |"), md);
        // The live heap's median leaves out the round where jcmd failed.
        assertTrue(md.contains("| callback | 10,000 | 10,000 | — | 0.91 | 100 → 110 MB | 0.80 | 1.14 | 0.75 |"), md);
    }

    @Test
    void theIdleCostComparesTheMediansAndListsEachRound() throws IOException {
        String md = render(
                idle("idle0", 1, 100_000, 6), idle("idle", 1, 99_000, 6.1),
                idle("idle0", 2, 120_000, 5), idle("idle", 2, 90_000, 7),
                idle("idle0", 3, 110_000, 5.5), idle("idle", 3, 100_000, 6.5));
        assertTrue(md.contains("| callback | 110,000 | 99,000 (N = 10000) | -10.0% | -1.0%, -25.0%, -9.1% | 5.50 | 6.50 |"), md);
        assertTrue(md.contains("idle channels cost the 50 active ones ≤ 10% of their round trips/s | -10.0% (110,000 → 99,000) | met |"), md);
    }

    @Test
    void theHowThisWasRunSectionNamesTheGeneratorAndTheRounds() throws IOException {
        List<String> meta = new java.util.ArrayList<>(META);
        meta.add("generator-kind: native (built with gcc 12: cc -O2)");
        meta.add("rounds: 3");
        String md = renderWith(meta, pingPong("callback", 50, 1, 1, 1, 0.5));
        assertTrue(md.contains("- Load generator: the native `loadgen --seconds=4` (`benchmarks/native/loadgen.c`: C, epoll, one thread on one core;"
                + " built with gcc 12: cc -O2); figures from the window after the warm-up."), md);
        assertTrue(md.contains("- Rounds: 3 rounds. Each round starts every server afresh"), md);
        assertTrue(md.contains("- Server JVM options: `-Xmx1g`."), md);
        String java = render(pingPong("callback", 50, 1, 1, 1, 0.5));
        assertTrue(java.contains("- Load generator: the Java `LoadGenerator --seconds=4` (one Java thread on one core)"), java);
        assertTrue(java.contains("- Rounds: one round."), java);
    }

    @Test
    void aMissIsMarkedAndAGeneratorBoundOneSaysSo() throws IOException {
        String md = render(pingPong("callback", 1000, 1, 50_000, 9, 1.0), pingPong("raw-nio", 1000, 1, 100_000, 6, 1.0));
        assertTrue(md.contains("| callback round trips/s ≥ 0.95× raw NIO, C = 1000 | 0.50× (50,000 vs 100,000) | **missed** (generator-bound) |"), md);
        assertTrue(md.contains("| callback server CPU per round trip ≤ 1.1× raw NIO, C = 1000 | 1.50× (9.00 vs 6.00) | **missed** |"), md);
    }

    @Test
    void idleCostComparesTheSameServerWithAndWithoutIdleConnections() throws IOException {
        String md = render(
                "server=callback scenario=idle0 rep=1 c=50 rtps=100000 rts=1 seconds=4 p50us=1 p99us=2 p999us=3 srvus_per_rt=6 srvcpu=1 gencpu=1",
                "server=callback scenario=idle rep=1 c=50 rtps=85000 rts=1 seconds=4 p50us=1 p99us=2 p999us=3 srvus_per_rt=7 srvcpu=1 gencpu=1 idle=10000");
        assertTrue(md.contains("idle channels cost the 50 active ones ≤ 10% of their round trips/s | -15.0% (100,000 → 85,000) | **missed** |"), md);
    }

    @Test
    void aLayeredServerIsJudgedAgainstTheCallbackServerAtEachConnectionCount() throws IOException {
        String md = render(pingPong("callback", 1, 1, 20_000, 20, 0.5), pingPong("chat", 1, 1, 15_000, 25, 0.5),
                pingPong("callback", 50, 1, 100_000, 6, 0.5), pingPong("chat", 50, 1, 90_000, 7, 0.5));
        assertTrue(md.contains("| AsyncChat line echo ≥ 0.8× callback echo, C = 1 | 0.75× (15,000 vs 20,000); server µs/RT 25.00 vs 20.00 | **missed** |"), md);
        assertTrue(md.contains("| AsyncChat line echo ≥ 0.8× callback echo, C = 50 | 0.90× (90,000 vs 100,000); server µs/RT 7.00 vs 6.00 | met |"), md);
    }

    private static String bulk(String server, int rep, double mbps, double srvcpu) {
        return "server=" + server + " scenario=bulk rep=" + rep + " mbps=" + mbps + " bytes=1 seconds=5 srvcpu=" + srvcpu + " gencpu=0.5";
    }

    @Test
    void bulkCpuPerByteIsComputedInEachRoundThenItsMedianJudgesTheSamplesAndTheCoroutineServer() throws IOException {
        String md = render(
                bulk("raw-nio", 1, 1000, 0.8), bulk("raw-nio", 2, 500, 0.5), bulk("raw-nio", 3, 2000, 1.0),
                // 0.80, 1.00, 0.50 ns/byte: median 0.80; MB/s median 1,000
                bulk("sample-coroutine", 1, 950, 0.95), bulk("sample-coroutine", 2, 400, 0.4), bulk("sample-coroutine", 3, 1500, 0.9),
                // 1.00, 1.00, 0.60 ns/byte: median 1.00 (1.25× raw NIO: missed); MB/s median 950 (0.95×: met)
                bulk("sample-callback", 1, 300, 0.9), bulk("sample-callback", 2, 400, 0.8), bulk("sample-callback", 3, 500, 1.0),
                // 3.00, 2.00, 2.00 ns/byte: median 2.00
                bulk("coroutine", 1, 850, 0.85));
        assertTrue(md.contains("| raw-nio | 1,000 | — | 1.00 | 0.80 | 0.80 | 1.00 | 0.50 |"), md);
        assertTrue(md.contains("| sample-coroutine | 950 | — | 0.95 | 0.90 | 1.00 | 1.25 | 0.50 |"), md);
        assertTrue(md.contains("| sample-coroutine bulk ≥ 0.9× raw NIO | 0.95× (950 vs 1,000) | met |"), md);
        assertTrue(md.contains("| sample-coroutine bulk server CPU per byte ≤ 1.1× raw NIO | 1.25× (1.00 vs 0.80) | **missed** |"), md);
        assertTrue(md.contains("| sample-callback bulk ≥ 0.9× raw NIO | 0.40× (400 vs 1,000) | **missed** |"), md);
        assertTrue(md.contains("| sample-callback bulk server CPU per byte ≤ 1.1× raw NIO | 2.50× (2.00 vs 0.80) | **missed** |"), md);
        assertTrue(md.contains("| coroutine bulk ≥ 0.9× raw NIO | 0.85× (850 vs 1,000) | **missed** |"), md);
    }

    @Test
    void aSampleNotMeasuredIsSaidSo() throws IOException {
        String md = render(bulk("raw-nio", 1, 1000, 0.8));
        assertTrue(md.contains("| sample-callback bulk ≥ 0.9× raw NIO | not measured | — |"), md);
    }

    @Test
    void aServerNotMergedYetIsListedAsPending() throws IOException {
        String md = render(pingPong("callback", 50, 1, 1, 1, 0.5));
        assertTrue(md.contains("| AsyncChat line echo ≥ 0.8× callback echo | pending: branch chat, not merged yet | — |"), md);
        assertTrue(md.contains("- Pending: chat — asyncore AsyncChat line echo — branch chat, not merged yet."), md);
    }

    private static List<String> tls(String server, int rep, double micros, double mbps, double srvcpu, double msPerHandshake, String heap) {
        return List.of(
                "server=" + server + " scenario=tls-pingpong rep=" + rep + " c=50 rtps=50000 rts=1 seconds=5 p50us=900 p99us=2000"
                        + " p999us=3000 srvus_per_rt=" + micros + " srvcpu=0.9 gencpu=0.4",
                "server=" + server + " scenario=tls-bulk rep=" + rep + " mbps=" + mbps + " bytes=1 seconds=5 srvcpu=" + srvcpu + " gencpu=0.5",
                "server=" + server + " scenario=tls-handshake rep=" + rep + " hsps=1000 handshakes=5000 seconds=5 srvms_per_hs=" + msPerHandshake
                        + " srvcpu=0.9 gencpu=0.2 window=16",
                "server=" + server + " scenario=tls-idle rep=" + rep + " n=2000 seconds=3 rss_before_kb=1 rss_after_kb=2 rss_per_conn_kb=9.5"
                        + " heap_per_conn_kb=" + heap);
    }

    @Test
    void theTlsTableShowsEachServersCpuPerUnitOfWorkAgainstTheRawSslEngineFloorAndJudgesTheTargets() throws IOException {
        List<String> meta = new java.util.ArrayList<>(META);
        meta.add("tls-certificate: ECDSA P-256, self-signed");
        meta.add("tls-generator: tlsgen --seconds=5 --warmup=1 --connections=50 --window=16 --idle=2000 --warm-handshakes=35 --warm-bulk=1536");
        List<String> results = new java.util.ArrayList<>();
        results.addAll(tls("tls-raw-nio", 1, 10, 1000, 1.2, 0.80, "5.50"));
        results.addAll(tls("tls-raw-nio", 2, 12, 1000, 1.0, 0.90, "5.40"));
        results.addAll(tls("tls-raw-nio", 3, 11, 1000, 1.1, 0.85, "5.60"));
        results.addAll(tls("tls-callback", 1, 11.55, 1000, 1.3, 0.85, "na"));
        results.addAll(tls("tls-netty", 1, 12.75, 1000, 1.89, 0.93, "7.10"));
        results.addAll(tls("tls-callback-boringssl", 1, 9, 1000, 1.2, 0.26, "1.20"));
        Files.write(dir.resolve("tls-results.txt"), results);
        String md = renderWith(meta, pingPong("callback", 50, 1, 90_000, 6, 0.5));
        assertTrue(md.contains("## TLS (issue 13)"), md);
        assertTrue(md.contains("Certificate: ECDSA P-256, self-signed. Each server process first gets the same warm-up (35 s of handshakes, "
                + "1536 MiB of bulk echo, then 2 s of ping-pong)"), md);
        // Medians over three rounds: 11 µs/RT, 1.10 ns/byte (1.1 cores / 1000 MB/s), 0.85 ms, 5.50 KB.
        assertTrue(md.contains("| tls-raw-nio | JDK | 11.00 | 1.00 | 1.10 | 1.00 | 0.85 | 1.00 | 5.50 | 1.00 |"), md);
        assertTrue(md.contains("| tls-callback | JDK | 11.55 | 1.05 | 1.30 | 1.18 | 0.85 | 1.00 | n/a | — |"), md);
        assertTrue(md.contains("| tls-callback-boringssl | BoringSSL (netty-tcnative) | 9.00 | 0.82 |"), md);
        assertTrue(md.contains("| tls-callback server CPU per round trip ≤ 1.1× floor | 1.05× (11.55 vs 11.00) | met |"), md);
        assertTrue(md.contains("| tls-callback server CPU per echoed byte ≤ 1.1× floor | 1.18× (1.30 vs 1.10) | **missed** |"), md);
        assertTrue(md.contains("| tls-callback live heap per idle TLS connection ≤ the floor's | not measured | — |"), md);
        assertTrue(md.contains("| tls-callback server CPU per handshake ≤ Netty's (JDK engine) | 0.91× (0.85 vs 0.93) | met |"), md);
        assertTrue(md.contains("CPU per handshake against the JDK engine's | 0.31× (0.26 vs 0.85 ms) | — |"), md);
        assertTrue(md.contains("| tls-raw-nio | 50,000 | 900.0 | 2000.0 | 1,000 | 1,000 | 2,000 | 9.50 | 0.40, 0.50, 0.20 |"), md);
        // The TLS servers stay out of the plaintext tables.
        assertTrue(!md.contains("| tls-raw-nio | 50,000 | —"), md);
    }

    @Test
    void withoutTlsResultsTheReportHasNoTlsSection() throws IOException {
        String md = render(pingPong("callback", 50, 1, 90_000, 6, 0.5));
        assertTrue(!md.contains("TLS"), md);
    }

    private static String group(String server, int loops, int c, int rep, double micros, String loopCpu, String threads) {
        return pingPong(server, c, rep, 100_000, micros, 0.9) + " loopcpu=" + loopCpu + " loopthreads=" + threads + " loops=" + loops;
    }

    private static String group(String server, int loops, int c, int rep, double micros, String loopCpu, String threads, String conns) {
        return group(server, loops, c, rep, micros, loopCpu, threads) + " loopconns=" + conns;
    }

    private static String connect(String server, int loops, int rep, double connps) {
        return "server=" + server + " scenario=connect rep=" + rep + " n=2000 connps=" + connps + " seconds=1 rss_before_kb=1"
                + " rss_after_kb=2 rss_per_conn_kb=1 heap_per_conn_kb=na srvcpu=1 gencpu=1 loops=" + loops;
    }

    @Test
    void theLoopGroupSectionComparesTwoLoopsWithOneAndJudgesTheGroupsCostAndSpread() throws IOException {
        List<String> meta = new java.util.ArrayList<>(META);
        meta.add("group-pinning: server on CPUs 0-1");
        meta.add("group-generator: loadgen --scenarios=pingpong,connect --connections=50,1000 --scale=2000 --loops=N (N = 1 2)");
        Files.write(dir.resolve(GroupReport.RESULTS), List.of(
                group("callback", 1, 50, 1, 6.0, "0.60", "java"), group("callback", 1, 1000, 1, 4.0, "0.40", "java"),
                connect("callback", 1, 1, 20_000),
                // Two rounds of two loops: medians 6.2 µs/RT at C = 50, 4.4 at C = 1000, spread (1.2 + 1.0) / 2 = 1.1.
                group("callback", 2, 50, 1, 6.1, "0.31,0.30", "asyncore-group-,asyncore-group-"),
                group("callback", 2, 50, 2, 6.3, "0.32,0.30", "asyncore-group-,asyncore-group-"),
                group("callback", 2, 1000, 1, 4.3, "0.24,0.20", "asyncore-group-,asyncore-group-", "502,501"),
                group("callback", 2, 1000, 2, 4.5, "0.22,0.22", "asyncore-group-,asyncore-group-", "502,501"),
                connect("callback", 2, 1, 19_000), connect("callback", 2, 2, 21_000),
                // SO_REUSEPORT, two loops only: compared with callback's one loop; the kernel's spread 550/451.
                group("callback-reuseport", 2, 50, 1, 5.7, "0.30,0.28", "asyncore-group-,asyncore-group-", "28,24"),
                group("callback-reuseport", 2, 1000, 1, 4.2, "0.25,0.20", "asyncore-group-,asyncore-group-", "551,451"),
                connect("callback-reuseport", 2, 1, 30_000),
                group("netty-nio", 1, 50, 1, 7.0, "0.70", "multiThreadIoEv"), group("netty-nio", 1, 1000, 1, 5.0, "0.50", "multiThreadIoEv"),
                group("netty-nio", 2, 50, 1, 7.0, "0.35,0.35", "multiThreadIoEv,multiThreadIoEv"),
                group("netty-nio", 2, 1000, 1, 6.0, "0.40,0.20", "multiThreadIoEv,multiThreadIoEv")));
        String md = renderWith(meta, pingPong("callback", 50, 1, 90_000, 6, 0.5));
        assertTrue(md.contains("## Loop groups (issue 16)"), md);
        assertTrue(md.contains("Pinning: server on CPUs 0-1."), md);
        assertTrue(md.contains("then 2,000 new connections"), md);
        assertTrue(md.contains("| callback | 1 | one listener | 100,000 | 6.00 | — | 100,000 | 4.00 | — | 0.40 | n/a | n/a | n/a | 1.00 | 20,000 | — |"), md);
        assertTrue(md.contains("| callback | 2 | one acceptor | 100,000 | 6.20 | 1.03 | 100,000 | 4.40 | 1.10 | 0.23, 0.21 | 1.10 | 502, 501 | 1.00 | 1.82 | 20,000 | 1.00 |"), md);
        assertTrue(md.contains("| callback-reuseport | 2 | SO_REUSEPORT per loop | 100,000 | 5.70 | 0.95 | 100,000 | 4.20 | 1.05 | 0.25, 0.20 | 1.25 | 551, 451 | 1.22 | 1.90 | 30,000 | 1.50 |"), md);
        assertTrue(md.contains("| callback-reuseport: 2 loops, server CPU per round trip ≤ 1.05× one loop, C = 1000 | 1.05× (4.20 vs 4.00 µs) | met |"), md);
        assertTrue(md.contains("| callback-reuseport: 2 loops, fullest loop's connections ≤ 1.1× the emptiest's, C = 1000 | 1.22× | **missed** |"), md);
        assertTrue(md.contains("| callback-reuseport: connect rate, 2 loops against one | 1.50× (30,000 vs 20,000 connects/s) | — |"), md);
        assertTrue(md.contains("| callback: 2 loops, fullest loop's connections ≤ 1.1× the emptiest's, C = 1000 | 1.00× | met |"), md);
        assertTrue(md.contains("| callback: 2 loops, server CPU per round trip ≤ 1.05× one loop, C = 50 | 1.03× (6.20 vs 6.00 µs) | met |"), md);
        assertTrue(md.contains("| callback: 2 loops, server CPU per round trip ≤ 1.05× one loop, C = 1000 | 1.10× (4.40 vs 4.00 µs) | **missed** |"), md);
        assertTrue(md.contains("| callback: 2 loops, busiest loop thread's CPU ≤ 1.1× the idlest's, C = 1000 | 1.10× | met |"), md);
        assertTrue(md.contains("| callback: connect rate, 2 loops against one | 1.00× (20,000 vs 20,000 connects/s) | — |"), md);
        // Netty is the reference: its figures are shown and measured against the same bounds, without a verdict.
        assertTrue(md.contains("| netty-nio: 2 loops, busiest loop thread's CPU ≤ 1.1× the idlest's, C = 1000 | 2.00× | reference |"), md);
        assertTrue(md.contains("callback × 2: `asyncore-group-`, `asyncore-group-`"), md);
        assertTrue(md.contains("### What N loops on N cores should give"), md);
        // The group's servers stay out of the other tables.
        assertTrue(!md.contains("| netty-nio | 100,000"), md);
    }

    @Test
    void withoutLoopGroupResultsTheReportIsWhatItWas() throws IOException {
        String without = render(pingPong("callback", 50, 1, 90_000, 6, 0.5));
        Files.write(dir.resolve(GroupReport.RESULTS), List.of());
        String empty = render(pingPong("callback", 50, 1, 90_000, 6, 0.5));
        assertTrue(!without.contains("Loop groups"), without);
        assertTrue(without.equals(empty), "an empty " + GroupReport.RESULTS + " changes nothing");
    }
}

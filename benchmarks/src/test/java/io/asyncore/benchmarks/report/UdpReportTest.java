package io.asyncore.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The report's datagram section, from {@code udp-results.txt} as the native generator's scenario udp writes it. */
@Timeout(10)
class UdpReportTest {
    @TempDir
    Path dir;

    private static final List<String> META = List.of(
            "mode: full", "date: 2026-01-01 00:00 UTC", "load-before: 0.1 0.1 0.1", "load-after: 0.2 0.2 0.2",
            "machine: 2 CPUs", "java: test", "maven-java: 17", "pinning: none", "server-jvm: -Xmx1g",
            "generator: --seconds=4", "jmh: -f 1", "nofile: 20000",
            "udp-generator: loadgen --scenarios=udp --seconds=5 --warmup=1 --connections=1,50 --udp-timeout=200");

    private static final String TCP = "server=callback scenario=pingpong rep=1 c=50 rtps=90000 rts=1 seconds=4"
            + " p50us=1 p99us=2 p999us=3 srvus_per_rt=6 srvcpu=1.0 gencpu=0.5";

    private static String udp(String server, int c, int rep, double rtps, double micros, double gencpu, int lost) {
        return "server=" + server + " scenario=udp rep=" + rep + " c=" + c + " rtps=" + rtps + " rts=1 seconds=5 p50us=20"
                + " p99us=40 p999us=90 srvus_per_rt=" + micros + " srvcpu=0.8 gencpu=" + gencpu + " lost=" + lost + " late=0 timeoutms=200";
    }

    private String render(List<String> meta, String... udpResults) throws IOException {
        Files.write(dir.resolve("meta.txt"), meta);
        Files.write(dir.resolve("results.txt"), List.of(TCP));
        Files.write(dir.resolve(UdpReport.RESULTS), List.of(udpResults));
        return Report.render(dir, dir.resolve("no-notes.md"));
    }

    @Test
    void theDatagramTableShowsEachServerAtEachCAgainstTheCallbackEchoAndJudgesTheCoroutineTarget() throws IOException {
        String md = render(META,
                udp("udp-raw-nio", 1, 1, 30_000, 20, 0.6, 0), udp("udp-raw-nio", 50, 1, 90_000, 8, 0.9, 2),
                // Three rounds of the callback server: medians 28,000 round trips/s and 22 µs at C = 1.
                udp("udp-callback", 1, 1, 28_000, 22, 0.6, 0), udp("udp-callback", 1, 2, 20_000, 30, 0.6, 1),
                udp("udp-callback", 1, 3, 29_000, 21, 0.6, 0),
                udp("udp-callback", 50, 1, 80_000, 9, 0.96, 0),
                udp("udp-coroutine", 1, 1, 26_600, 24, 0.6, 0), udp("udp-coroutine", 50, 1, 64_000, 11, 0.9, 3));
        assertTrue(md.contains("## Datagrams (issue 14)"), md);
        assertTrue(md.contains("A datagram unanswered for 200 ms is counted *lost*"), md);
        assertTrue(md.contains("| udp-callback | 1 | 28,000 | 1.00 | 20.0 | 40.0 | 22.00 | 1.00 | 0 / 0 | 0.80 | 0.60 |"), md);
        assertTrue(md.contains("| udp-coroutine | 50 | 64,000 | 0.80 | 20.0 | 40.0 | 11.00 | 1.22 | 3 / 0 | 0.80 | 0.90 |"), md);
        assertTrue(md.contains("| coroutine datagram round trips/s ≥ 0.9× callback datagram echo, C = 1 | 0.95× (26,600 vs 28,000); "
                + "server µs/RT 24.00 vs 22.00 | met |"), md);
        assertTrue(md.contains("| coroutine datagram round trips/s ≥ 0.9× callback datagram echo, C = 50 | 0.80× (64,000 vs 80,000); "
                + "server µs/RT 11.00 vs 9.00 | **missed** (generator-bound) |"), md);
        assertTrue(md.contains("| callback datagram echo against the raw NIO floor, C = 50 | 0.89× (80,000 vs 90,000); "
                + "server µs/RT 9.00 vs 8.00 | — |"), md);
        // Rows go by C, then by server in the order the results first name them.
        assertTrue(md.indexOf("| udp-coroutine | 1 |") < md.indexOf("| udp-raw-nio | 50 |"), md);
        // The datagram servers stay out of the TCP tables.
        assertTrue(!md.contains("| udp-callback | 28,000 |"), md);
    }

    @Test
    void aCoroutineServerThatDidNotStartIsSaidSoInTheTargetRow() throws IOException {
        List<String> meta = new ArrayList<>(META);
        meta.add("failed: udp-coroutine|round 1: did not start; see benchmarks/results/udp-coroutine.round1.server.log");
        String md = render(meta, udp("udp-callback", 1, 1, 28_000, 22, 0.6, 0));
        assertTrue(md.contains("| coroutine datagram round trips/s ≥ 0.9× callback datagram echo | not measured: round 1: did not start; "
                + "see benchmarks/results/udp-coroutine.round1.server.log | — |"), md);
    }

    @Test
    void withoutDatagramResultsTheReportIsWhatItWas() throws IOException {
        String empty = render(META);
        Files.delete(dir.resolve(UdpReport.RESULTS));
        String without = Report.render(dir, dir.resolve("no-notes.md"));
        assertTrue(!without.contains("Datagrams"), without);
        assertEquals(without, empty, "an empty " + UdpReport.RESULTS + " changes nothing");
    }
}

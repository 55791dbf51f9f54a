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
        Files.write(dir.resolve("meta.txt"), META);
        Files.write(dir.resolve("results.txt"), List.of(results));
        return Report.render(dir, dir.resolve("no-notes.md"));
    }

    private static String pingPong(String server, int c, int rep, double rtps, double micros, double gencpu) {
        return "server=" + server + " scenario=pingpong rep=" + rep + " c=" + c + " rtps=" + rtps + " rts=1 seconds=4"
                + " p50us=1 p99us=2 p999us=3 srvus_per_rt=" + micros + " srvcpu=1.0 gencpu=" + gencpu;
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

    @Test
    void aServerNotMergedYetIsListedAsPending() throws IOException {
        String md = render(pingPong("callback", 50, 1, 1, 1, 0.5));
        assertTrue(md.contains("| AsyncChat line echo ≥ 0.8× callback echo | pending: branch chat, not merged yet | — |"), md);
        assertTrue(md.contains("- Pending: chat — asyncore AsyncChat line echo — branch chat, not merged yet."), md);
    }
}

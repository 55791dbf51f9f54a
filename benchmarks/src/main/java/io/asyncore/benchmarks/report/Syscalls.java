package io.asyncore.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report's "System calls per round trip" section. {@code run.sh} counts every system call a
 * server makes ({@code perf stat -x, -e 'syscalls:sys_enter_*' -p PID}, written to
 * {@code <server>.syscalls.csv}) for a few seconds inside the measuring window of a separate
 * ping-pong run, whose result line goes to {@code syscalls-results.txt}; dividing by the round trips
 * of those seconds gives calls per round trip. Reads and writes per echo are fixed by how a server
 * handles a message; `epoll_wait` per echo moves with batching.
 */
final class Syscalls {
    /** Calls rarer than this per round trip are left out of the table. */
    private static final double SHOWN = 0.01;
    private static final String PREFIX = "syscalls:sys_enter_";

    private Syscalls() {
    }

    /** The section's Markdown lines, or none if the run counted no system calls. */
    static List<String> section(Path dir, List<String> serverOrder, double windowSeconds) throws IOException {
        Path results = dir.resolve("syscalls-results.txt");
        if (!Files.exists(results) || !(windowSeconds > 0)) {
            return List.of();
        }
        Map<String, Run> runs = new HashMap<>();
        for (String l : Files.readAllLines(results)) {
            if (!l.isBlank()) {
                Run r = new Run(l);
                runs.put(r.server(), r);
            }
        }
        Map<String, Map<String, Double>> perServer = new LinkedHashMap<>();
        List<String> uncounted = new ArrayList<>();
        String connections = "?";
        for (String server : serverOrder) {
            Path csv = dir.resolve(server + ".syscalls.csv");
            Run run = runs.get(server);
            if (run == null || !Files.exists(csv)) {
                continue;
            }
            connections = run.text("c");
            Map<String, Double> calls = perRoundTrip(Files.readAllLines(csv), run.num("rtps"), windowSeconds);
            if (calls.isEmpty()) {
                Path err = dir.resolve(server + ".syscalls.err");
                String why = Files.exists(err) ? String.join(" ", Files.readAllLines(err)).strip() : "";
                uncounted.add(server + (why.isEmpty() ? "" : " (perf: \"" + (why.length() > 160 ? why.substring(0, 160) + "…" : why) + "\")"));
            } else {
                perServer.put(server, calls);
            }
        }
        if (perServer.isEmpty()) {
            return List.of();
        }
        // Columns: every call some server makes at least SHOWN times per round trip, the most frequent first.
        Map<String, Double> most = new TreeMap<>();
        perServer.values().forEach(m -> m.forEach((k, v) -> most.merge(k, v, Math::max)));
        List<String> columns = new ArrayList<>(most.keySet());
        columns.removeIf(k -> most.get(k) < SHOWN);
        columns.sort((a, b) -> Double.compare(most.get(b), most.get(a)));

        List<String> md = new ArrayList<>();
        md.add("## System calls per round trip");
        md.add("");
        md.add("Every system call of the server process, counted with `perf stat -e 'syscalls:sys_enter_*' -p <server>` for "
                + fmt(windowSeconds) + " s inside the measuring window of a separate ping-pong run at C = " + connections
                + ", divided by the round trips of the time perf counted (the window's rate × perf's own run time). The reads "
                + "and writes per echo are set by how a server handles a message, so they hardly move between runs; `epoll_wait` "
                + "per echo moves with how many echoes each wake-up batches. "
                + "Calls made less than " + SHOWN + " times per round trip are left out of the columns but counted in *all*.");
        md.add("");
        StringBuilder head = new StringBuilder("| server |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String c : columns) {
            head.append(' ').append(c).append(" |");
            rule.append("--:|");
        }
        md.add(head.append(" all |").toString());
        md.add(rule.append("--:|").toString());
        perServer.forEach((server, calls) -> {
            StringBuilder row = new StringBuilder("| " + server + " |");
            for (String c : columns) {
                row.append(' ').append(fmt(calls.getOrDefault(c, 0.0))).append(" |");
            }
            double all = calls.values().stream().mapToDouble(Double::doubleValue).sum();
            md.add(row.append(' ').append(fmt(all)).append(" |").toString());
        });
        md.add("");
        if (!uncounted.isEmpty()) {
            md.add("Not counted, perf wrote no counts: " + String.join("; ", uncounted) + ".");
            md.add("");
        }
        return md;
    }

    /**
     * Calls per round trip by name, from {@code perf stat -x,} output (count,unit,event,run time in ns,...),
     * at {@code roundTripsPerSecond}: each count is divided by the round trips of the time perf really
     * counted it (its run time; {@code windowSeconds} where the line has none).
     */
    static Map<String, Double> perRoundTrip(List<String> perfCsv, double roundTripsPerSecond, double windowSeconds) {
        Map<String, Double> out = new TreeMap<>();
        for (String l : perfCsv) {
            String[] f = l.split(",");
            if (l.startsWith("#") || f.length < 3 || !f[2].startsWith(PREFIX)) {
                continue;
            }
            try {
                double count = Double.parseDouble(f[0]);
                double seconds = f.length > 3 && !f[3].isEmpty() ? Double.parseDouble(f[3]) / 1e9 : windowSeconds;
                if (count > 0 && seconds > 0 && roundTripsPerSecond > 0) {
                    out.put(f[2].substring(PREFIX.length()), count / (roundTripsPerSecond * seconds));
                }
            } catch (NumberFormatException e) {
                // "<not counted>" or "<not supported>": nothing to show for this call
            }
        }
        return out;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.2f", v);
    }
}

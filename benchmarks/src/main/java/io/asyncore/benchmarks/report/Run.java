package io.asyncore.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.Map;

/** One line of {@code results.txt}: a scenario run against one server, as {@code key=value} pairs. */
final class Run {
    private final Map<String, String> fields = new LinkedHashMap<>();

    Run(String line) {
        for (String pair : line.trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not a key=value pair: '" + pair + "' in results line: " + line);
            }
            fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
    }

    String server() {
        return text("server");
    }

    String scenario() {
        return text("scenario");
    }

    String text(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("results line has no '" + key + "': " + fields);
        }
        return v;
    }

    double num(String key) {
        return Double.parseDouble(text(key));
    }

    /** Adds a figure computed from the others (kept beside the generator's own, under its own key). */
    void derive(String key, String value) {
        fields.putIfAbsent(key, value);
    }

    /** The runs in a results file, one a line; none if the file is missing or holds no line. */
    static java.util.List<Run> readAll(java.nio.file.Path results) throws java.io.IOException {
        if (!java.nio.file.Files.exists(results)) {
            return java.util.List.of();
        }
        return java.nio.file.Files.readAllLines(results).stream().filter(l -> !l.isBlank()).map(Run::new)
                .collect(java.util.stream.Collectors.toList());
    }
}

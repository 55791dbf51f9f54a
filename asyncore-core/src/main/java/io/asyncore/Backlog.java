package io.asyncore;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The listen backlog used when none is given: the system's own limit where it can be read. */
final class Backlog {
    /** Used where the system's limit cannot be read: Linux's own default since 5.4; kernels cap it. */
    static final int FALLBACK = 4096;
    /** Where Linux keeps the cap it puts on every backlog. */
    static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    private static final int SYSTEM = read(SOMAXCONN);

    private Backlog() {
    }

    /** The system's backlog limit, read once per JVM. */
    static int system() {
        return SYSTEM;
    }

    /**
     * The positive number on the first line of {@code file}, or {@link #FALLBACK} if it is missing,
     * unreadable or not one. Read through a buffered reader: {@code Files.readString} sizes its read
     * by the file's size, which procfs reports as 0, and a sysctl file then yields only "4" of "4096".
     */
    static int read(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line = reader.readLine();
            int n = line == null ? 0 : Integer.parseInt(line.trim());
            return n > 0 ? n : FALLBACK;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return FALLBACK;
        }
    }
}

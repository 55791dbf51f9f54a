package io.asyncore.samples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a standard stream is a terminal, which Java does not say directly for stderr. */
final class Terminal {
    private Terminal() {
    }

    /**
     * True when stderr is a terminal. On Linux it reads where {@code /proc/self/fd/2} points (a
     * {@code /dev/pts/N} or {@code /dev/ttyN} device); elsewhere it falls back to
     * {@code System.console() != null}, which on JDK 17 means stdin and stdout are terminals.
     */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd2)) {
            try {
                return isTerminalDevice(Files.readSymbolicLink(fd2).toString());
            } catch (IOException | SecurityException e) {
                return false; // unknown: no progress line is the safe choice
            }
        }
        return System.console() != null;
    }

    /** {@code /dev/pts/3}, {@code /dev/tty1}: yes; {@code pipe:[123]}, {@code /tmp/log}, {@code /dev/null}: no. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.matches("/dev/tty\\w*") || target.startsWith("/dev/console");
    }
}

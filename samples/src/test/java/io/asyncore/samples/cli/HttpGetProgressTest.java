package io.asyncore.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.asyncore.samples.http.DemoHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** http-get's progress line: on a terminal's stderr for a large body, never in a pipe. */
@Timeout(120)
class HttpGetProgressTest {
    private static final long BODY = 3L << 20;

    private static MainTest.Run run(boolean errIsTerminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                errIsTerminal);
        return new MainTest.Run(code, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void onATerminalALargeBodyShowsBytesRateAndPercentage() throws IOException {
        try (DemoHttpServer server = DemoHttpServer.start()) {
            MainTest.Run r = run(true, "http-get", server.url("/bytes?n=" + BODY).toString());
            assertEquals(0, r.code(), r::toString);
            assertTrue(r.err().contains("\r3.0 MiB of 3.0 MiB (100%), "), r.err());
            assertTrue(r.err().matches("(?s).*/s\u001b\\[K\n"), "the line ends once the body is done: " + r.err());
            assertTrue(r.out().length() > BODY, "the body still goes to stdout");
        }
    }

    @Test
    void whenStderrIsNotATerminalNothingButTheResponseIsPrinted() throws IOException {
        try (DemoHttpServer server = DemoHttpServer.start()) {
            MainTest.Run r = run(false, "http-get", server.url("/bytes?n=" + BODY).toString());
            assertEquals(0, r.code(), r::toString);
            assertEquals("", r.err());
        }
    }

    @Test
    void aRealTerminalGetsTheLineAndARealPipeDoesNot(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assumeTrue(new File("/usr/bin/script").canExecute(), "util-linux's script(1) is needed for a pseudo-terminal");
        try (DemoHttpServer server = DemoHttpServer.start()) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = System.getProperty("java.class.path");
            String url = server.url("/bytes?n=" + BODY).toString();
            List<String> command = List.of(java, "-cp", cp, Main.class.getName(), "http-get", url);

            // stderr on a pseudo-terminal (script runs the command on one and copies what it shows).
            String onPty = String.join(" ", command.stream().map(HttpGetProgressTest::quote).toList()) + " >/dev/null";
            String shown = runToEnd(new ProcessBuilder("/usr/bin/script", "-qec", onPty, "/dev/null"), dir.resolve("pty.txt"));
            assertTrue(shown.contains("3.0 MiB of 3.0 MiB (100%)"), "on a terminal: " + shown);

            // stderr in a pipe.
            ProcessBuilder piped = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            String inPipe = runToEnd(piped, dir.resolve("pipe.txt"));
            assertFalse(inPipe.contains("%") || inPipe.contains("\r"), "in a pipe: " + inPipe);
        }
    }

    private static String runToEnd(ProcessBuilder pb, Path capture) throws Exception {
        if (pb.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
            pb.redirectOutput(capture.toFile());
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        } else {
            pb.redirectError(capture.toFile());
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(pb.command() + " did not finish within 90 s");
        }
        String text = Files.readString(capture, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> pb.command() + " failed: " + text);
        return text;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}

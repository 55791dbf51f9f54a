package io.asyncore.benchmarks.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every echo server takes {@code --loops 2} after its port and still echoes, in a JVM of its own as run.sh starts it. */
@Timeout(60)
class GroupServersTest {
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"CallbackEchoServer", "DocumentedEchoServer", "ChatLineEchoServer", "SampleCallbackEchoServer",
            "CoroutineEchoServer", "SampleCoroutineEchoServer", "NettyEchoServer"})
    void echoesOnTwoLoops(String server) throws Exception {
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.asyncore.benchmarks.server." + server, Integer.toString(port), "--loops", "2")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("READY " + server + " " + port), String.valueOf(ready));
            for (String message : List.of("one\n", "two\n", "three\n")) { // round robin: both loops
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(10_000);
                    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                    s.getOutputStream().write(bytes);
                    assertArrayEquals(bytes, s.getInputStream().readNBytes(bytes.length), server);
                }
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }
}

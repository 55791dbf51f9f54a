package io.asyncore.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays cases recorded from CPython 3.11's own asynchat (see gen-cpython-asynchat-cases.py next
 * to the data): the same terminator script, stream and read sizes must give exactly the same
 * collect_incoming_data/found_terminator sequence.
 */
@Timeout(30)
class CPythonRecordedCasesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static Terminator parseTerminator(String t) {
        return switch (t.charAt(0)) {
            case 'x' -> Terminator.NONE;
            case 'n' -> Terminator.count(Long.parseLong(t.substring(1)));
            default -> Terminator.of(HEX.parseHex(t.substring(1)));
        };
    }

    @Test
    void eventsEqualThoseRecordedFromCPythonsAsynchat() throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("cpython-asynchat-cases.txt");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        assertTrue(lines.size() >= 500, "recorded cases found: " + lines.size());
        try (SocketMap map = new SocketMap()) {
            for (String line : lines) {
                String[] f = line.split("\\|", -1);
                List<Terminator> script = Arrays.stream(f[0].split(",")).map(CPythonRecordedCasesTest::parseTerminator).toList();
                byte[] stream = HEX.parseHex(f[1]);
                List<String> expected = f[3].isEmpty() ? List.of() : List.of(f[3].split(","));
                List<String> events = new ArrayList<>();
                AsyncChat chat = new AsyncChat(map) {
                    int next = 1;

                    @Override
                    public void collectIncomingData(byte[] data) {
                        events.add("c" + HEX.formatHex(data));
                    }

                    @Override
                    public void foundTerminator() {
                        events.add("f");
                        setTerminator(next < script.size() ? script.get(next) : Terminator.NONE);
                        next++;
                    }
                };
                chat.setTerminator(script.get(0));
                int p = 0;
                for (String cut : f[2].split(",")) {
                    int n = Integer.parseInt(cut);
                    chat.parse(Arrays.copyOfRange(stream, p, p + n));
                    p += n;
                }
                assertEquals(expected, events, line);
            }
        }
    }
}

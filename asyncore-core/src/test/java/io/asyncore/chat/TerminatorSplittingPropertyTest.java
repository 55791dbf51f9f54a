package io.asyncore.chat;

import static io.asyncore.chat.Latin1.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncore.SocketMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random driver: random framings (byte-string terminators, self-overlapping ones included,
 * count terminators, a final read-until-close part) cut into reads in every way we can think of.
 * The messages never depend on the cuts, and the exact collectIncomingData/foundTerminator
 * sequence equals that of asynchat's algorithm (PythonModel) for the same cuts.
 */
@Timeout(60)
class TerminatorSplittingPropertyTest {
    private static final String[] TERMINATORS = {"\n", "\r\n", "qqq", "aab", "aaab", "abab", "aa", "a", "abaab", "ba"};
    private static final String ALPHABET = "ab\r\nqx";

    private final SocketMap map = new SocketMap();

    @AfterEach
    void closeMap() {
        map.close();
    }

    /** One frame of the stream: a byte-string terminator (bytes), a count (count >= 1), or none. */
    private record Frame(byte[] terminator, int count, byte[] body) {
        Terminator asTerminator() {
            return terminator != null ? Terminator.of(terminator) : count > 0 ? Terminator.count(count) : Terminator.NONE;
        }

        Object asModelTerminator() {
            return terminator != null ? terminator : count > 0 ? (Object) (long) count : null;
        }

        byte[] wire() {
            return terminator != null ? PythonModel.concat(body, terminator) : body;
        }
    }

    /** An AsyncChat on no socket, fed through parse(), switching terminators from its script. */
    private final class ScriptedChat extends AsyncChat {
        final List<Frame> script;
        final List<String> events = new ArrayList<>();
        final List<String> messages = new ArrayList<>();
        int frame;
        long collected;
        long terminatorBytes;

        ScriptedChat(List<Frame> script) {
            super(map);
            this.script = script;
            setTerminator(script.get(0).asTerminator());
        }

        @Override
        public void collectIncomingData(byte[] data) throws IOException {
            assertTrue(data.length > 0, "collectIncomingData got empty data");
            events.add("c:" + Latin1.text(data));
            collected += data.length;
            super.collectIncomingData(data);
        }

        @Override
        public void foundTerminator() {
            events.add("f");
            Terminator t = getTerminator();
            if (t.isBytes()) {
                terminatorBytes += t.bytes().length;
            }
            messages.add(Latin1.text(takeIncomingData()));
            frame++;
            setTerminator(frame < script.size() ? script.get(frame).asTerminator() : Terminator.NONE);
        }
    }

    private static List<Frame> randomScript(Random rnd) {
        List<Frame> frames = new ArrayList<>();
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(4) == 0) {
                int count = 1 + rnd.nextInt(20);
                byte[] body = new byte[count];
                rnd.nextBytes(body);
                frames.add(new Frame(null, count, body));
            } else {
                byte[] t = rnd.nextInt(3) == 0 ? randomBytes(rnd, "ab", 1 + rnd.nextInt(4))
                        : bytes(TERMINATORS[rnd.nextInt(TERMINATORS.length)]);
                frames.add(new Frame(t, 0, cleanBody(rnd, t)));
            }
        }
        if (rnd.nextBoolean()) {
            frames.add(new Frame(null, 0, randomBytes(rnd, ALPHABET, rnd.nextInt(30))));
        }
        return frames;
    }

    /** A body whose first terminator occurrence, once the terminator is appended, is that one. */
    private static byte[] cleanBody(Random rnd, byte[] t) {
        for (int attempt = 0; attempt < 50; attempt++) {
            byte[] body = randomBytes(rnd, ALPHABET, rnd.nextInt(30));
            if (PythonModel.indexOf(PythonModel.concat(body, t), t) == body.length) {
                return body;
            }
        }
        return new byte[0];
    }

    private static byte[] randomBytes(Random rnd, String alphabet, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) alphabet.charAt(rnd.nextInt(alphabet.length()));
        }
        return b;
    }

    private static byte[] wire(List<Frame> script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        script.forEach(f -> out.writeBytes(f.wire()));
        return out.toByteArray();
    }

    private static List<String> expectedMessages(List<Frame> script) {
        List<String> out = new ArrayList<>();
        for (Frame f : script) {
            if (f.terminator != null || f.count > 0) {
                out.add(Latin1.text(f.body));
            }
        }
        return out;
    }

    /** Feeds the cuts to a fresh chat and to the model; checks messages, events, and the hold-back bound. */
    private void check(List<Frame> script, byte[] wire, int[] cuts, String what) throws IOException {
        ScriptedChat chat = new ScriptedChat(script);
        List<String> modelEvents = new ArrayList<>();
        int[] modelFrame = {0};
        PythonModel model = new PythonModel(modelEvents, m -> {
            modelFrame[0]++;
            m.terminator = modelFrame[0] < script.size() ? script.get(modelFrame[0]).asModelTerminator() : null;
        });
        model.terminator = script.get(0).asModelTerminator();
        int fed = 0;
        for (int cut : cuts) {
            byte[] read = Arrays.copyOfRange(wire, fed, fed + cut);
            fed += cut;
            chat.parse(read);
            model.feed(read);
            long heldBack = fed - chat.collected - chat.terminatorBytes;
            Terminator now = chat.getTerminator();
            long bound = now.isBytes() ? now.bytes().length - 1 : 0;
            assertTrue(heldBack >= 0 && heldBack <= bound,
                    what + ": " + heldBack + " bytes held back after a read, more than " + bound);
        }
        assertEquals(wire.length, fed);
        String context = what + " script=" + script.stream().map(f -> f.asTerminator().toString()).toList();
        assertEquals(expectedMessages(script), chat.messages, context);
        assertEquals(modelEvents, chat.events, context);
    }

    private static int[] randomCuts(Random rnd, int length, int maxPiece) {
        List<Integer> cuts = new ArrayList<>();
        for (int left = length; left > 0; ) {
            int c = Math.min(left, 1 + rnd.nextInt(maxPiece));
            cuts.add(c);
            left -= c;
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** CI runs the fixed seeds 1..400; the soak script passes a random first seed and many more cases. */
    private static final long FIRST_SEED = Long.getLong("fuzz.seed", 1);
    private static final long CASES = Long.getLong("fuzz.cases", 400);

    @Test
    void messagesAndEventsDoNotDependOnHowTheStreamIsCutIntoReads() throws IOException {
        if (FIRST_SEED != 1 || CASES != 400) {
            System.out.printf("fuzz: seeds %d..%d%n", FIRST_SEED, FIRST_SEED + CASES - 1);
        }
        for (long seed = FIRST_SEED; seed < FIRST_SEED + CASES; seed++) {
            Random rnd = new Random(seed);
            List<Frame> script = randomScript(rnd);
            byte[] wire = wire(script);
            if (wire.length == 0) {
                continue;
            }
            check(script, wire, new int[] {wire.length}, "seed " + seed + " all at once");
            int[] ones = new int[wire.length];
            Arrays.fill(ones, 1);
            check(script, wire, ones, "seed " + seed + " one byte per read");
            for (int r = 0; r < 5; r++) {
                check(script, wire, randomCuts(rnd, wire.length, 1 + rnd.nextInt(12)), "seed " + seed + " random cuts " + r);
            }
        }
    }

    @Test
    void everySingleCutPointGivesTheSameMessages() throws IOException {
        for (long seed = 1000; seed < 1100; seed++) {
            Random rnd = new Random(seed);
            List<Frame> script = randomScript(rnd);
            byte[] wire = wire(script);
            for (int cut = 1; cut < wire.length; cut++) {
                check(script, wire, new int[] {cut, wire.length - cut}, "seed " + seed + " cut at " + cut);
            }
        }
    }

    @Test
    void selfOverlappingTerminatorsSplitAtEveryPointOfTheTerminator() throws IOException {
        for (String t : new String[] {"aab", "aaab", "abab", "aaaa"}) {
            byte[] term = bytes(t);
            List<Frame> script = new ArrayList<>();
            for (String body : new String[] {"a", "aba", "", "b", "ba", "bb"}) {
                if (PythonModel.indexOf(bytes(body + t), term) == body.length()) {
                    script.add(new Frame(term, 0, bytes(body)));
                }
            }
            assertTrue(script.size() >= 3, t + ": too few clean bodies");
            byte[] wire = wire(script);
            for (int a = 1; a < wire.length; a++) {
                for (int b = a + 1; b < wire.length; b++) {
                    check(script, wire, new int[] {a, b - a, wire.length - b}, t + " cuts " + a + "," + b);
                }
            }
        }
    }

    /** Terminators changed between reads, while bytes are held back, are applied to those bytes as Python does. */
    @Test
    void terminatorChangedBetweenReadsAppliesToTheHeldBytes() throws IOException {
        Object[] choices = {bytes("aab"), bytes("ab"), bytes("b"), bytes("aaab"), 3L, null};
        for (long seed = 1; seed <= 300; seed++) {
            Random rnd = new Random(seed);
            List<String> chatEvents = new ArrayList<>();
            AsyncChat chat = new AsyncChat(map) {
                @Override
                public void collectIncomingData(byte[] data) {
                    chatEvents.add("c:" + Latin1.text(data));
                }

                @Override
                public void foundTerminator() {
                    chatEvents.add("f");
                }
            };
            List<String> modelEvents = new ArrayList<>();
            PythonModel model = new PythonModel(modelEvents, m -> { });
            for (int read = 0; read < 12; read++) {
                if (read == 0 || rnd.nextInt(3) == 0) {
                    Object t = choices[rnd.nextInt(choices.length)];
                    model.terminator = t;
                    chat.setTerminator(t instanceof byte[] b ? Terminator.of(b)
                            : t instanceof Long n ? Terminator.count(n) : Terminator.NONE);
                }
                byte[] data = randomBytes(rnd, "ab", 1 + rnd.nextInt(5));
                chat.parse(data);
                model.feed(data);
            }
            assertEquals(modelEvents, chatEvents, "seed " + seed);
        }
    }
}

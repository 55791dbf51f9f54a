package io.asyncore.consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The public API of each published jar equals its checked-in baseline ({@code <module>/api/<module>.api}).
 * An intentional change regenerates the baseline with {@code mvn -B verify -Dapi.update=true} in the
 * same commit, and lists the change in CHANGES.md.
 */
class PublicApiBaselineTest {
    private static final Path ROOT = Path.of(System.getProperty("consumer.root", ".."));

    @Test
    void coreApiMatchesItsBaseline() throws IOException {
        check("asyncore-core", Path.of(System.getProperty("consumer.coreJar")));
    }

    @Test
    void coroutinesApiMatchesItsBaseline() throws IOException {
        check("asyncore-coroutines", Path.of(System.getProperty("consumer.coroutinesJar")));
    }

    @Test
    void coreDumpShowsExportedTypesAndLeavesInternalsOut() throws IOException {
        List<String> api = ApiDump.of(Path.of(System.getProperty("consumer.coreJar")));
        assertTrue(api.stream().anyMatch(l -> l.startsWith("public class io.asyncore.Dispatcher")), "Dispatcher missing");
        assertTrue(api.stream().anyMatch(l -> l.contains(" handleRead()")), "handleRead missing");
        assertFalse(api.stream().anyMatch(l -> l.contains("io.asyncore.internal.") && !l.startsWith("  ")),
                "a class of the unexported package io.asyncore.internal is in the dump");
    }

    @Test
    void coroutinesDumpLeavesKotlinInternalsOut() throws IOException {
        List<String> api = ApiDump.of(Path.of(System.getProperty("consumer.coroutinesJar")));
        assertTrue(api.stream().anyMatch(l -> l.contains("class io.asyncore.coroutines.SuspendingSocket")), "SuspendingSocket missing");
        // Kotlin's internal members compile to public methods named name$module.
        assertFalse(api.stream().anyMatch(l -> l.contains("$asyncore_coroutines")), "an internal member is in the dump");
    }

    private static void check(String module, Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is not a jar: run the check with mvn verify, after the module is packaged");
        }
        List<String> actual = ApiDump.of(jar);
        Path baseline = ROOT.resolve(module).resolve("api").resolve(module + ".api");
        if (Boolean.getBoolean("api.update")) {
            Files.createDirectories(baseline.getParent());
            Files.write(baseline, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(baseline)) {
            fail("no API baseline " + baseline + ": create it with mvn -B verify -Dapi.update=true and commit it");
        }
        List<String> expected = Files.readAllLines(baseline, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            fail("the public API of " + module + " differs from " + ROOT.relativize(baseline) + ":\n"
                    + diff(expected, actual)
                    + "If the change is intended: mvn -B verify -Dapi.update=true, commit the new baseline with "
                    + "the change, and list it in CHANGES.md (say if it breaks callers).");
        }
    }

    /** Lines only in the baseline ({@code -}) and only in the jar ({@code +}), each with its class. */
    static String diff(List<String> expected, List<String> actual) {
        Set<String> exp = new HashSet<>(context(expected));
        Set<String> act = new HashSet<>(context(actual));
        StringBuilder b = new StringBuilder();
        for (String l : context(expected)) {
            if (!act.contains(l)) {
                b.append("- ").append(l).append('\n');
            }
        }
        for (String l : context(actual)) {
            if (!exp.contains(l)) {
                b.append("+ ").append(l).append('\n');
            }
        }
        return b.length() == 0 ? "(the same declarations in a different order)\n" : b.toString();
    }

    /** Member lines prefixed with their class, so a diff line says where it belongs. */
    private static List<String> context(List<String> lines) {
        List<String> out = new ArrayList<>();
        String owner = "";
        for (String l : lines) {
            if (l.startsWith("  ")) {
                out.add(owner + " {" + l.strip() + "}");
            } else {
                owner = l;
                out.add(l);
            }
        }
        return out;
    }
}

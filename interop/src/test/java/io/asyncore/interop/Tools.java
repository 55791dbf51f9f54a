package io.asyncore.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the peers' programs; a test whose program is missing skips, naming the Debian package to install. */
final class Tools {
    private Tools() {
    }

    /** The program's path; skips the test if it is not installed. */
    static Path require(String program, String debianPackage) {
        Path found = find(program);
        assumeTrue(found != null, program + " not installed: apt-get install " + debianPackage);
        return found;
    }

    /** On the PATH, or in the sbin directories (where nginx lives) that a user's PATH may lack. */
    private static Path find(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}

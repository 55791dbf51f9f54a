package io.asyncore.samples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.IVersionProvider;

/**
 * The samples' version, as the build wrote it into {@code version.txt} (Maven resource filtering
 * of {@code ${project.version}}), so the POM is the only place the version is written.
 */
final class Version implements IVersionProvider {
    private static final String RESOURCE = "version.txt";

    /** The version, such as {@code 0.1.0-SNAPSHOT}; fails with the reason when the build did not write it. */
    static String current() {
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing next to " + Version.class.getName()
                        + ": build the samples with Maven (it writes the version there)");
            }
            String v = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (v.isEmpty() || v.contains("${")) {
                throw new IllegalStateException(RESOURCE + " holds '" + v + "', not a version: Maven's resource filtering did not run");
            }
            return v;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"asyncore-samples " + current()};
    }
}

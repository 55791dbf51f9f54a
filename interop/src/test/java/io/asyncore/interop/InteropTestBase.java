package io.asyncore.interop;

import io.asyncore.SocketMap;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What every interop test has: a loop of its own, a directory for certificates and peers' files, and a time bound. */
@Timeout(60)
abstract class InteropTestBase {
    final SocketMap map = new SocketMap();
    @TempDir
    Path dir;

    @AfterEach
    void closeTheLoop() {
        map.close();
    }

    /** The openssl program; skips the test if it is not installed. */
    static Path openssl() {
        return Tools.require("openssl", "openssl");
    }

    /** A throwaway CA and server certificate in {@link #dir}; skips the test without openssl. */
    Pki pki() throws IOException {
        return Pki.create(openssl(), dir);
    }
}

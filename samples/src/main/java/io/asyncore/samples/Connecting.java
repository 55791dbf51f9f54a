package io.asyncore.samples;

import io.asyncore.Dispatcher;
import java.io.IOException;

/** How the sample clients start: a socket and a connect that leaves nothing open if it fails at once. */
public final class Connecting {
    private Connecting() {
    }

    /**
     * Opens an IPv4 stream socket for {@code client} and starts connecting to {@code host:port}
     * (the name is resolved now). A connect that fails at once closes the socket, so the map is
     * not left holding it, and the failure is thrown.
     *
     * @throws java.net.UnknownHostException if {@code host} cannot be resolved
     */
    public static void connect(Dispatcher client, String host, int port) throws IOException {
        client.createSocket();
        try {
            client.connect(host, port);
        } catch (IOException e) {
            client.close();
            throw e;
        }
    }
}

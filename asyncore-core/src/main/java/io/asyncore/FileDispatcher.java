package io.asyncore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.NetworkChannel;
import java.util.Objects;

/**
 * A dispatcher over a file-like channel (a pipe, or a process's output bridged onto one): Python's
 * {@code file_dispatcher}. It counts as connected from the start; end of stream reaches
 * {@link #handleClose()} through {@link #recv(int)}, as for a socket.
 *
 * <p>The channel's direction limits the events: a pipe's read end never gets write events and its
 * write end never gets read events, whatever {@code readable()}/{@code writable()} answer.
 */
public class FileDispatcher extends Dispatcher {
    private FileWrapper file;

    /** See {@link Dispatcher#Dispatcher()}; give it a file with {@link #setFile}. */
    public FileDispatcher() {
        this((NetworkChannel) null, null);
    }

    /** See {@link Dispatcher#Dispatcher(SocketMap)}; give it a file with {@link #setFile}. */
    public FileDispatcher(SocketMap map) {
        this((NetworkChannel) null, map);
    }

    /** See {@link Dispatcher#Dispatcher(NetworkChannel)}: a socket served as a file, connected. */
    public FileDispatcher(NetworkChannel sock) {
        this(sock, null);
    }

    /** See {@link Dispatcher#Dispatcher(NetworkChannel, SocketMap)}: a socket served as a file, connected. */
    public FileDispatcher(NetworkChannel sock, SocketMap map) {
        super(sock, map);
        setConnected(true);
    }

    /** Serves {@code file} in the global map. */
    public FileDispatcher(FileWrapper file) {
        this(file, null);
    }

    /** Serves {@code file} in {@code map} ({@code null}: the global map). */
    public FileDispatcher(FileWrapper file, SocketMap map) {
        this((NetworkChannel) null, map);
        setFile(file);
    }

    /**
     * Serves {@code file} from now on, switching its channel to non-blocking mode: Python's {@code set_file}.
     *
     * @throws UncheckedIOException if the channel cannot be switched to non-blocking mode
     */
    public void setFile(FileWrapper file) {
        Objects.requireNonNull(file, "file");
        try {
            file.channel().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve " + file + ": " + e.getMessage(), e);
        }
        this.file = file;
        attach(file.channel());
        setConnected(true);
    }

    /** The file being served, or {@code null} for a socket or before {@link #setFile}. */
    public FileWrapper file() {
        return file;
    }

    /** Closes the channel, and for a bridged stream the stream too; leaves the map. Idempotent. */
    @Override
    public void close() {
        super.close();
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                SocketMap.LOGGER.log(System.Logger.Level.WARNING, "closing " + file + " failed", e);
            }
        }
    }
}

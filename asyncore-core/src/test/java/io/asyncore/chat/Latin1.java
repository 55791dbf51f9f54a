package io.asyncore.chat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Test text as bytes and back, one byte a character (ISO-8859-1), as asynchat's tests write it. */
final class Latin1 {
    private Latin1() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static ByteBuffer buffer(String s) {
        return ByteBuffer.wrap(bytes(s));
    }
}

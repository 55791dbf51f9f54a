package io.asyncore.chat;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Test oracle: asynchat's {@code handle_read} loop as SEMANTICS.md section 2.5 states it, written
 * naively (concatenate, search from the start, shrink the prefix one byte at a time). The
 * terminator is a {@code byte[]}, a {@code Long} count or {@code null}. Events are recorded as
 * {@code "c:<data>"} and {@code "f"}.
 */
final class PythonModel {
    Object terminator;
    private byte[] buf = new byte[0];
    private final List<String> events;
    private final Consumer<PythonModel> onFound;

    PythonModel(List<String> events, Consumer<PythonModel> onFound) {
        this.events = events;
        this.onFound = onFound;
    }

    void feed(byte[] data) {
        buf = concat(buf, data);
        while (buf.length > 0) {
            int lb = buf.length;
            Object t = terminator;
            if (t == null || (t instanceof Long n && n == 0) || (t instanceof byte[] b && b.length == 0)) {
                collect(buf);
                buf = new byte[0];
            } else if (t instanceof Long n) {
                if (lb < n) {
                    collect(buf);
                    buf = new byte[0];
                    terminator = n - lb;
                } else {
                    collect(Arrays.copyOfRange(buf, 0, (int) (long) n));
                    buf = Arrays.copyOfRange(buf, (int) (long) n, lb);
                    terminator = 0L;
                    found();
                }
            } else {
                byte[] term = (byte[]) t;
                int index = indexOf(buf, term);
                if (index != -1) {
                    if (index > 0) {
                        collect(Arrays.copyOfRange(buf, 0, index));
                    }
                    buf = Arrays.copyOfRange(buf, index + term.length, lb);
                    found();
                } else {
                    int k = prefixAtEnd(buf, term);
                    if (k != 0) {
                        if (k != lb) {
                            collect(Arrays.copyOfRange(buf, 0, lb - k));
                            buf = Arrays.copyOfRange(buf, lb - k, lb);
                        }
                        break;
                    }
                    collect(buf);
                    buf = new byte[0];
                }
            }
        }
    }

    private void collect(byte[] data) {
        events.add("c:" + Latin1.text(data));
    }

    private void found() {
        events.add("f");
        onFound.accept(this);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** find_prefix_at_end: shrink l from len-1 while the haystack does not end with needle[:l]. */
    static int prefixAtEnd(byte[] haystack, byte[] needle) {
        int l = needle.length - 1;
        while (l > 0 && !endsWith(haystack, Arrays.copyOf(needle, l))) {
            l--;
        }
        return l;
    }

    private static boolean endsWith(byte[] h, byte[] suffix) {
        if (suffix.length > h.length) {
            return false;
        }
        return Arrays.equals(h, h.length - suffix.length, h.length, suffix, 0, suffix.length);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

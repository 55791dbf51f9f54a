package io.asyncore.testing;

import io.asyncore.SocketMap;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Set;

/**
 * What a map's selector holds, read by reflection: a test-only view of what the loop really waits
 * for, which no public method shows. Call it on the map's loop thread.
 */
public final class SelectorKeys {
    private SelectorKeys() {
    }

    /** The keys registered with the map's selector, cancelled ones not yet deregistered included. */
    public static Set<SelectionKey> of(SocketMap map) {
        return selector(map).keys();
    }

    /** How many keys the map's selector holds, cancelled ones not yet deregistered included. */
    public static int count(SocketMap map) {
        return of(map).size();
    }

    /**
     * One line for each valid key that still asks for events: what the selector waits for. Empty
     * when nothing does. Most exact after a new pass has begun, which brings interest up to date.
     */
    public static List<String> withInterest(SocketMap map) {
        return of(map).stream()
                .filter(k -> k.isValid() && k.interestOps() != 0)
                .map(k -> (k.attachment() != null ? k.attachment() : k.channel()) + " still has interestOps=" + k.interestOps())
                .toList();
    }

    private static Selector selector(SocketMap map) {
        for (Field f : SocketMap.class.getDeclaredFields()) {
            if (f.getType() == Selector.class && !Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                try {
                    return (Selector) f.get(map);
                } catch (IllegalAccessException e) {
                    throw new AssertionError("cannot read SocketMap." + f.getName() + ": " + e.getMessage(), e);
                }
            }
        }
        throw new AssertionError("SocketMap has no Selector field any more: update io.asyncore.testing.SelectorKeys"
                + " (asyncore-core/src/testFixtures) to find the loop's selector where it now lives");
    }
}

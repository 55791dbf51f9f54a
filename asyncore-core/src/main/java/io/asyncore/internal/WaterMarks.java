package io.asyncore.internal;

/**
 * The rules of a send queue's water marks, shared by {@code DispatcherWithSend} and
 * {@code AsyncChat}: each keeps its marks and its paused flag in fields of its own (no object per
 * connection), and asks here. Internal: not exported from the module.
 */
public final class WaterMarks {
    /** The default high-water mark: 64 KiB. */
    public static final int DEFAULT_HIGH = 64 * 1024;
    /** The default low-water mark: 16 KiB. */
    public static final int DEFAULT_LOW = 16 * 1024;

    private WaterMarks() {
    }

    /**
     * Checks a pair of marks.
     *
     * @throws IllegalArgumentException if {@code low} is negative or above {@code high}, naming the defaults
     */
    public static void check(int low, int high) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("water marks need 0 <= low <= high, got low=" + low + ", high=" + high
                    + " (the defaults are low=" + DEFAULT_LOW + ", high=" + DEFAULT_HIGH + ")");
        }
    }

    /**
     * Whether reading should be paused with {@code queued} bytes waiting: above {@code high} it
     * pauses, and once paused it stays so until the queue is down to {@code low}.
     */
    public static boolean paused(boolean wasPaused, long queued, int low, int high) {
        return wasPaused ? queued > low : queued > high;
    }
}

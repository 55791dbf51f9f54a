package io.asyncore.samples.time;

import java.time.Instant;

/**
 * The Time Protocol's wire format (RFC 868): a 32-bit big-endian count of seconds since
 * 1900-01-01T00:00:00Z.
 *
 * <p>The count wraps on 2036-02-07; {@link #decode(byte[], Instant)} picks the era nearest the
 * local clock, so the samples keep working after that date. Stateless and thread-safe.
 */
public final class Rfc868 {
    /** Seconds from 1900-01-01 to 1970-01-01. */
    public static final long EPOCH_OFFSET = 2_208_988_800L;
    /** The protocol's well-known port; serving it needs root, so the samples default to {@link #SAMPLE_PORT}. */
    public static final int STANDARD_PORT = 37;
    /** The port the samples use by default. */
    public static final int SAMPLE_PORT = 8037;

    private static final long ERA = 1L << 32;

    private Rfc868() {
    }

    /** The 4 bytes that tell {@code time}, to the second (fractions are dropped). */
    public static byte[] encode(Instant time) {
        long count = Math.floorMod(time.getEpochSecond() + EPOCH_OFFSET, ERA);
        return new byte[] {(byte) (count >>> 24), (byte) (count >>> 16), (byte) (count >>> 8), (byte) count};
    }

    /**
     * The time 4 received bytes tell, in the era nearest {@code near}.
     *
     * @throws IllegalArgumentException if {@code bytes} is not 4 bytes long
     */
    public static Instant decode(byte[] bytes, Instant near) {
        if (bytes.length != 4) {
            throw new IllegalArgumentException("an RFC 868 time is 4 bytes, got " + bytes.length);
        }
        long count = ((bytes[0] & 0xFFL) << 24) | ((bytes[1] & 0xFFL) << 16) | ((bytes[2] & 0xFFL) << 8) | (bytes[3] & 0xFFL);
        long nearCount = near.getEpochSecond() + EPOCH_OFFSET;
        long era = Math.floorDiv(nearCount, ERA);
        long best = era * ERA + count;
        for (long candidate : new long[] {best - ERA, best + ERA}) {
            if (Math.abs(candidate - nearCount) < Math.abs(best - nearCount)) {
                best = candidate;
            }
        }
        return Instant.ofEpochSecond(best - EPOCH_OFFSET);
    }

    /**
     * What the time clients print, such as {@code "remote time 2026-11-22T06:20:00Z, 2 s behind the
     * local clock"}. The protocol counts whole seconds, so the comparison is with the local clock
     * truncated to the second.
     */
    public static String describe(Instant remote, Instant local) {
        long diff = remote.getEpochSecond() - local.getEpochSecond();
        String relation = diff == 0 ? "the same second as the local clock"
                : Math.abs(diff) + " s " + (diff < 0 ? "behind" : "ahead of") + " the local clock";
        return "remote time " + remote + ", " + relation;
    }
}

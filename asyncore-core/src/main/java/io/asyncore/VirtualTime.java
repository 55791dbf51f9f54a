package io.asyncore;

import io.asyncore.internal.LoopClock;

/**
 * One map's view of a {@link VirtualClock}: it follows the clock in steps, one timer deadline at a
 * time, so timers and the work they set off run at their own deadline rather than at the clock's
 * latest time. Written by the loop thread only; read from any thread.
 */
final class VirtualTime implements LoopClock {
    final VirtualClock clock;
    /** The deadline being caught up with while {@link #stepping}. */
    private volatile long now;
    /** A timer the clock has passed is still to run: the map reads {@link #now}, not the clock. */
    private volatile boolean stepping;

    VirtualTime(VirtualClock clock) {
        this.clock = clock;
    }

    @Override
    public long nanoTime() {
        return stepping ? now : clock.nanoTime();
    }

    /**
     * Before due timers are taken: if the clock has passed the next timer's deadline, this map's
     * time becomes that deadline (never going back); otherwise it follows the clock again.
     * Loop thread only.
     */
    void step(Timers timers) {
        TimerHandle next = timers.next();
        if (next != null && timerDue(next)) {
            if (!stepping || next.deadline - now > 0) {
                now = next.deadline;
            }
            stepping = true;
        } else {
            stepping = false;
        }
    }

    /** True if the clock has passed {@code next}'s deadline, though this map may not have yet: the loop must not wait. */
    boolean timerDue(TimerHandle next) {
        return next.deadline - clock.nanoTime() <= 0;
    }
}

package io.asyncore.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProcStatTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void readsThisProcessesCpuTimeAndResidentMemory() {
        assertTrue(ProcStat.cpuNanos(SELF) > 0, "a running JVM has used CPU");
        assertTrue(ProcStat.rssKb(SELF) > 1024, "a running JVM holds more than 1 MB");
    }

    @Test
    void aProcessThatIsGoneIsReportedAsSuch() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProcStat.rssKb(Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("has ended"), e.getMessage());
    }
}

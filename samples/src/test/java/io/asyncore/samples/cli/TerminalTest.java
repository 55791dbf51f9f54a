package io.asyncore.samples.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which of stderr's link targets count as a terminal (moved from ProgressMeterTest with the packages). */
class TerminalTest {
    @Test
    void terminalDevicesAreTerminalsAndPipesAndFilesAreNot() {
        assertTrue(Terminal.isTerminalDevice("/dev/pts/3"));
        assertTrue(Terminal.isTerminalDevice("/dev/tty1"));
        assertFalse(Terminal.isTerminalDevice("pipe:[4711]"));
        assertFalse(Terminal.isTerminalDevice("/tmp/out.log"));
        assertFalse(Terminal.isTerminalDevice("/dev/null"));
    }
}

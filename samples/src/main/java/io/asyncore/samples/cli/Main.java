package io.asyncore.samples.cli;

import io.asyncore.samples.Failures;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The samples' single entry point: {@code time-server}, {@code time-client}, {@code http-get},
 * {@code echo-server}, {@code starttls-server}, {@code starttls-client} and {@code demo} (the
 * default when no arguments are given).
 *
 * <p>Exit codes: 0 on success, 1 when the sample failed (the reason is printed as one line on
 * stderr, starting {@code error:}), 2 for a command line that cannot be understood.
 */
@Command(name = "asyncore-samples",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "The asyncore documentation's programs (RFC 868 time, HTTP, echo, STARTTLS) on the JVM.%n"
                + "With no arguments it runs the demo.",
        subcommands = {DemoCommand.class, TimeServerCommand.class, TimeClientCommand.class, HttpGetCommand.class,
                EchoServerCommand.class, StartTlsServerCommand.class, StartTlsClientCommand.class})
public final class Main implements Runnable {
    /** Where results go. */
    final PrintStream out;
    /** Where progress and errors go. */
    final PrintStream err;
    /** Whether {@link #err} is a terminal, so that a progress line redrawn in place is welcome there. */
    final boolean errIsTerminal;

    private Main(PrintStream out, PrintStream err, boolean errIsTerminal) {
        this.out = out;
        this.err = err;
        this.errIsTerminal = errIsTerminal;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line with the given streams and returns the exit code; never calls
     * {@code System.exit}. Server subcommands return only once stopped (Ctrl-C).
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, err == System.err && Terminal.stderrIsTerminal());
    }

    /** {@link #run(String[], PrintStream, PrintStream)} with the "is {@code err} a terminal" decision made by the caller. */
    static int run(String[] args, PrintStream out, PrintStream err, boolean errIsTerminal) {
        CommandLine cl = new CommandLine(new Main(out, err, errIsTerminal));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("error: " + Failures.describe(ex, null));
            err.flush();
            return 1;
        });
        int code = cl.execute(args.length == 0 ? new String[] {"demo"} : args);
        out.flush();
        err.flush();
        return code;
    }

    /** Without a subcommand (but with options): show the usage. */
    @Override
    public void run() {
        CommandLine.usage(this, out);
    }
}

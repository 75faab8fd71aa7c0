package dev.pedigree.cli;

import java.io.Console;
import java.util.Map;

/**
 * What the process's standard streams are connected to, and the environment that governs terminal niceties: progress
 * goes to standard error only when it is a terminal, verdict words are coloured only when standard output is one and
 * {@code NO_COLOR} is not set (<a href="https://no-color.org">no-color.org</a>: present and not empty) and {@code
 * TERM} is not {@code dumb}. Injected into {@link Main#run(String[], java.io.PrintWriter, java.io.PrintWriter,
 * Terminal)} so that tests can pretend to be a terminal.
 *
 * <p>Java cannot ask whether standard error alone is a terminal, and the launcher pipes standard error through a
 * filter, so the launcher tells: {@code -Dpedigree.tty.out=true|false} and {@code -Dpedigree.tty.err=true|false}, from
 * {@code [ -t 1 ]} and {@code [ -t 2 ]}. Without them (a bare {@code java -cp ... Main}), both follow {@link
 * Console#isTerminal()}, which is true only when standard input and output are a terminal.
 *
 * @param stdoutTerminal whether standard output is a terminal
 * @param stderrTerminal whether standard error is a terminal
 * @param env the environment ({@code NO_COLOR}, {@code TERM})
 */
public record Terminal(boolean stdoutTerminal, boolean stderrTerminal, Map<String, String> env) {
    /** Neither stream a terminal: no progress, no colour (pipes, files, tests). */
    public static final Terminal NONE = new Terminal(false, false, Map.of());

    public Terminal {
        env = Map.copyOf(env);
    }

    /** This process's streams and environment. */
    public static Terminal detect() {
        Console c = System.console();
        boolean console = c != null && c.isTerminal();
        return new Terminal(flag("pedigree.tty.out", console), flag("pedigree.tty.err", console), System.getenv());
    }

    private static boolean flag(String property, boolean otherwise) {
        String v = System.getProperty(property);
        return v == null || v.isBlank() ? otherwise : Boolean.parseBoolean(v.strip());
    }

    /** Whether verdict words on standard output may be coloured. */
    public boolean colour() {
        String noColor = env.get("NO_COLOR");
        return stdoutTerminal && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    }

    /** Whether long work may show its progress on standard error (unless {@code --quiet}). */
    public boolean progress() {
        return stderrTerminal && !"dumb".equals(env.get("TERM"));
    }
}

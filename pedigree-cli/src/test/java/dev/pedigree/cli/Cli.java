package dev.pedigree.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and captures exit code, stdout and stderr. */
record Cli(int exit, String out, String err) {
    /** Runs {@code args} with streams that are no terminal (as under a build: no progress, no colour). */
    static Cli run(String... args) {
        return on(Terminal.NONE, args);
    }

    /** Runs {@code args} as if the streams were connected as {@code terminal} says. */
    static Cli on(Terminal terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), terminal);
        return new Cli(code, out.toString(), err.toString());
    }
}

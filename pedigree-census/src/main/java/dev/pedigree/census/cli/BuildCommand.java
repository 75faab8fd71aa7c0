package dev.pedigree.census.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code census build}: a census from scratch. */
@Command(name = "build", description = "Fingerprint every listed model and build the census from scratch (a new run).")
final class BuildCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    HubOptions hub;

    @Override
    public Integer call() throws Exception {
        return CensusRunner.run(hub, false, spec.commandLine().getOut());
    }
}

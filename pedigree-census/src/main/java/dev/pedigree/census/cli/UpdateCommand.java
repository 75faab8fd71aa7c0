package dev.pedigree.census.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code census update}: adds new revisions to the current run. */
@Command(
        name = "update",
        description =
                "Fingerprint only the revisions the current run lacks, test their candidate pairs and merge (a new run; the same result as a full build).")
final class UpdateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    HubOptions hub;

    @Override
    public Integer call() throws Exception {
        return CensusRunner.run(hub, true, spec.commandLine().getOut());
    }
}

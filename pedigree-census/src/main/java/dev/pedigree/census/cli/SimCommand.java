package dev.pedigree.census.cli;

import dev.pedigree.census.sim.GroundTruth;
import dev.pedigree.census.sim.SimulatedHub;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code census sim}: writes a simulated hub with its ground truth. */
@Command(
        name = "sim",
        description =
                "Write a simulated hub (families of every derivation, independent controls, frozen vision towers, shared tokenizers) with its ground truth.")
final class SimCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--models",
            defaultValue = "210",
            description =
                    "at least this many models (whole families of 19, plus 2 vision towers); default ${DEFAULT-VALUE}")
    int models;

    @Option(
            names = "--layers",
            defaultValue = "4",
            description = "decoder blocks per text model; default ${DEFAULT-VALUE}")
    int layers;

    @Option(names = "--seed", defaultValue = "1", description = "seed of every draw; default ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", required = true, description = "new directory for the hub")
    Path out;

    @Override
    public Integer call() throws Exception {
        GroundTruth t = SimulatedHub.write(out, new SimulatedHub.Options(models, layers, seed));
        spec.commandLine()
                .getOut()
                .printf(
                        "simulated hub: %d models (%d text families, %d vision towers) in %s; ground truth in truth.json%n",
                        t.models().size(),
                        new SimulatedHub.Options(models, layers, seed).families(),
                        SimulatedHub.VISION_TOWERS,
                        out);
        return 0;
    }
}

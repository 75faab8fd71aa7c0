package dev.pedigree.cli.registry;

import dev.pedigree.registry.RegistryLocation;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The shared {@code --registry DB} option (mixin); the flag wins over {@code PEDIGREE_REGISTRY}. */
public final class RegistryOption {
    @Option(
            names = "--registry",
            paramLabel = "DB",
            description = "Registry database (default: $PEDIGREE_REGISTRY, else ~/.local/share/pedigree/registry.db).")
    Path registry;

    /** The database path this invocation uses. */
    public Path resolve() {
        return RegistryLocation.resolve(registry);
    }
}

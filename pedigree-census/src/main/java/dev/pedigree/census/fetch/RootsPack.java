package dev.pedigree.census.fetch;

import dev.pedigree.census.fingerprint.CensusProfile;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.registry.ModelMetadata;
import dev.pedigree.registry.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A registry pack ({@link dev.pedigree.registry.RegistryPack}) of a census's family roots, so that
 * {@code pedigree registry import PACK} lets {@code identify} name the foundations the census found.
 * The roots are fetched again with {@link CensusProfile#REGISTRY}: census fingerprints keep
 * block-sampled indices, which a registry fingerprint's {@code restrict} (scattered {@link
 * dev.pedigree.fingerprint.DimensionSample} indices) would not line up with. Stateless.
 */
public final class RootsPack {
    private RootsPack() {}

    /**
     * Fetches every root with the registry rule and writes the pack.
     *
     * @return the number of models in the pack
     */
    public static int write(HubClient client, List<HubModel> roots, Path pack)
            throws IOException, ModelFormatException {
        Path db = Files.createTempFile("pedigree-census-roots", ".db");
        Files.delete(db);
        try (Registry registry = Registry.open(db)) {
            for (HubModel m : roots) {
                SampledModelFetcher.Result r = SampledModelFetcher.fetch(client, m, CensusProfile.REGISTRY);
                String owner = m.id().substring(0, m.id().indexOf('/'));
                registry.add(
                        r.fingerprint().fingerprint(),
                        new ModelMetadata(
                                m.id(),
                                owner,
                                null,
                                m.sha(),
                                m.declaredBase() == null ? List.of() : List.of(m.declaredBase())));
            }
            registry.exportPack(pack);
            return roots.size();
        } finally {
            Files.deleteIfExists(db);
        }
    }
}

package dev.pedigree.registry;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintOptions;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import java.nio.file.Path;

/** Test helper run in a separate JVM: adds {@code count} tiny models named {@code prefix-i} to a registry. */
public final class ConcurrentAdder {
    private ConcurrentAdder() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        add(db, prefix, count);
    }

    static void add(Path db, String prefix, int count) throws Exception {
        Config tiny = new Config(dev.pedigree.model.Component.TEXT_DECODER, 64, 16, 2, 2, 32, 1, true, false, false);
        try (Registry r = Registry.open(db)) {
            for (int i = 0; i < count; i++) {
                Fingerprint fp = Fingerprint.of(
                        SyntheticTransformer.random(prefix + i, tiny, prefix.hashCode() * 1000L + i)
                                .toView(),
                        FingerprintOptions.DEFAULT.withUnits(8).withAnchorTokens(16));
                r.add(fp, ModelMetadata.named(prefix + "-" + i));
            }
        }
    }
}

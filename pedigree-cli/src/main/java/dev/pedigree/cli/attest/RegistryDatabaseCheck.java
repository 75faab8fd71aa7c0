package dev.pedigree.cli.attest;

import dev.pedigree.attest.ChainVerifier;
import dev.pedigree.attest.CheckpointSample;
import dev.pedigree.attest.Finding;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import dev.pedigree.registry.Identifier;
import dev.pedigree.registry.IdentifyOptions;
import dev.pedigree.registry.IdentifyResult;
import dev.pedigree.registry.Registry;
import dev.pedigree.registry.TensorMatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code attest verify --registry DB} with identify's registry database: the step-0 checkpoint is identified against it
 * exactly as {@code pedigree identify} would (exact reuse from tensor hashes, then the comparisons of the best
 * candidates), and every registry model it shares lineage with or copies tensors from is a failed finding. The
 * registry holds fingerprints, so the checkpoint itself must still be readable where the ledger names it; where it is
 * not, the check fails saying so rather than passing untested.
 */
final class RegistryDatabaseCheck implements ChainVerifier.RegistryDatabase {
    @Override
    public List<Finding> judge(Path db, CheckpointSample step0, Path checkpoint, String subject)
            throws IOException, ModelFormatException {
        List<Finding> out = new ArrayList<>();
        try (Registry reg = Registry.open(db)) {
            if (reg.size() == 0) {
                out.add(Finding.info("registry " + db, "registry", "the registry database holds no models"));
                return out;
            }
            if (checkpoint == null) {
                out.add(Finding.fail(
                        subject,
                        "registry",
                        "the step-0 checkpoint cannot be read here, and a registry database holds fingerprints that"
                                + " are compared with the checkpoint itself: verify where the checkpoint is, or give a"
                                + " directory of reference models"));
                return out;
            }
            IdentifyResult r;
            try (ModelView v = ModelOpener.open(checkpoint.toString())) {
                r = Identifier.identify(v, reg, IdentifyOptions.DEFAULT);
            }
            Map<String, Integer> identical = new LinkedHashMap<>();
            for (TensorMatch m : r.exactReuse()) {
                identical.merge(m.model(), 1, Integer::sum);
            }
            identical.forEach((model, n) -> out.add(Finding.fail(
                    "registry " + model,
                    "registry_identical",
                    "step 0 has " + n + " tensor" + (n == 1 ? "" : "s") + " identical to this registry model's")));
            for (IdentifyResult.Candidate c : r.candidates()) {
                String detail = c.result().verdict().name()
                        + (c.result().log10p() == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        " (log10 p %.1f)",
                                        c.result().log10p()));
                out.add(
                        c.result().verdict() == Verdict.SHARED_LINEAGE
                                ? Finding.fail(
                                        "registry " + c.entry().name(),
                                        "registry_lineage",
                                        "step 0 shares lineage with this registry model: " + detail)
                                : Finding.pass("registry " + c.entry().name(), "registry_lineage", detail));
            }
            out.add(Finding.info(
                    "registry " + db,
                    "registry",
                    r.registryModels() + " registry models, " + r.prefilterHits() + " passed the pre-filter, "
                            + r.candidates().size() + " compared"));
        }
        return out;
    }
}

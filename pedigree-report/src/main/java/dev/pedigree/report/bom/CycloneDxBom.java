package dev.pedigree.report.bom;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.Sha256;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.report.ClaimCheck;
import dev.pedigree.report.FileHash;
import dev.pedigree.report.Findings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Ancestors;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Pedigree;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.component.ModelCard;
import org.cyclonedx.model.component.modelCard.ModelParameters;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * A CycloneDX 1.6 ML-BOM of the suspect model, built with the CycloneDX Java library.
 *
 * <p>Layout: {@code components[0]} is the suspect ({@code machine-learning-model}, bom-ref
 * {@code model:suspect}) with the SHA-256 of its files (on the component for a single file, as
 * nested {@code file} components for several), a model card (architecture in
 * {@code modelParameters.modelArchitecture}; parameter count, format and per-component facts as
 * model-card properties) and its lineage:
 *
 * <ul>
 *   <li><b>verified lineage</b> (the weights share lineage with a reference) goes into the CycloneDX
 *       structure {@code pedigree.ancestors}: one {@code machine-learning-model} component per
 *       reference, with properties {@code pedigree:lineage:status = verified},
 *       {@code pedigree:lineage:components}, {@code pedigree:lineage:tests},
 *       {@code pedigree:lineage:log10_p}, {@code pedigree:lineage:inherited_parameter_fraction} and
 *       {@code pedigree:lineage:declared} (whether the suspect declares it);
 *   <li><b>declared lineage</b> (model card {@code base_model}, GGUF metadata) never enters
 *       {@code pedigree.ancestors}: each claim is a group of suspect properties
 *       {@code pedigree:lineage:declared:N:relation|value|origin|status}, where status is
 *       {@code confirmed}, {@code contradicted}, {@code not_verified} or {@code not_tested};
 *   <li>every comparison, whatever its verdict, is listed as suspect properties
 *       {@code pedigree:comparison:N:reference|verdict|log10_p}.
 * </ul>
 *
 * <p>Deterministic: no timestamp unless the context gives one, and the serial number is a UUID
 * (version 8, RFC 9562) made from the SHA-256 of the BOM serialised without it, so equal inputs
 * give byte-identical output. Stateless and thread-safe.
 */
public final class CycloneDxBom {
    /** The bom-ref of the suspect component. */
    public static final String SUSPECT_REF = "model:suspect";

    private CycloneDxBom() {}

    /** The BOM of one comparison as CycloneDX 1.6 JSON. */
    public static String render(ComparisonResult r, BomContext ctx) {
        return render(List.of(r), ctx);
    }

    /**
     * The BOM of one suspect compared with several references.
     *
     * @throws IllegalArgumentException if the results are about different suspects or the list is
     *     empty
     */
    public static String render(List<ComparisonResult> results, BomContext ctx) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no comparison result");
        }
        BomContext c = ctx == null ? BomContext.EMPTY : ctx;
        ModelSummary suspect = results.get(0).suspect();
        for (ComparisonResult r : results) {
            if (!r.suspect().source().equals(suspect.source())) {
                throw new IllegalArgumentException("results about different suspects: " + suspect.source() + " and "
                        + r.suspect().source());
            }
        }
        Bom bom = build(results, c);
        String unsigned = json(bom);
        bom.setSerialNumber("urn:uuid:" + uuid(unsigned));
        return json(bom);
    }

    private static Bom build(List<ComparisonResult> results, BomContext c) {
        ModelSummary s = results.get(0).suspect();
        Bom bom = new Bom();
        bom.setVersion(1);
        Metadata meta = new Metadata();
        // Metadata stamps the current time on construction; a rerun must not differ, so only a given
        // timestamp is kept.
        meta.setTimestamp(c.timestamp() == null ? null : Date.from(c.timestamp()));
        Component tool = new Component();
        tool.setType(Component.Type.APPLICATION);
        tool.setName("pedigree");
        tool.setVersion(c.pedigreeVersion());
        tool.setDescription("Model lineage forensics from the weights.");
        ToolInformation tools = new ToolInformation();
        tools.setComponents(List.of(tool));
        meta.setToolChoice(tools);
        bom.setMetadata(meta);

        Component model = new Component();
        model.setType(Component.Type.MACHINE_LEARNING_MODEL);
        model.setBomRef(SUSPECT_REF);
        model.setName(c.suspectName() == null ? Findings.modelName(s) : c.suspectName());
        model.setVersion(c.suspectVersion());

        ModelCard card = new ModelCard();
        if (s.architecture() != null) {
            ModelParameters mp = new ModelParameters();
            mp.setModelArchitecture(s.architecture());
            card.setModelParameters(mp);
        }
        List<Property> cardProps = new ArrayList<>();
        cardProps.add(prop("pedigree:model:parameters", Long.toString(s.parameters())));
        cardProps.add(prop("pedigree:model:format", s.format()));
        if (s.architecture() != null) {
            cardProps.add(prop("pedigree:model:architecture", s.architecture()));
        }
        for (ComponentResult k : results.get(0).components()) {
            cardProps.add(prop(
                    "pedigree:model:component:" + k.name() + ":kind", k.kind().jsonName()));
            cardProps.add(prop("pedigree:model:component:" + k.name() + ":parameters", Long.toString(k.parameters())));
        }
        card.setProperties(cardProps);
        model.setModelCard(card);

        List<Property> props = new ArrayList<>();
        Ancestors ancestors = new Ancestors();
        for (int i = 0; i < results.size(); i++) {
            ComparisonResult r = results.get(i);
            String refName = c.referenceNames().getOrDefault(r.reference().source(), Findings.modelName(r.reference()));
            props.add(prop("pedigree:comparison:" + i + ":reference", refName));
            props.add(prop("pedigree:comparison:" + i + ":verdict", r.verdict().name()));
            if (r.log10p() != null) {
                props.add(prop("pedigree:comparison:" + i + ":log10_p", num(r.log10p())));
            }
            if (r.verdict() == Verdict.SHARED_LINEAGE) {
                ancestors.addComponent(ancestor(r, i, refName, c));
            }
        }
        if (c.declaredClaims() != null) {
            for (int k = 0; k < c.declaredClaims().size(); k++) {
                LineageClaim claim = c.declaredClaims().get(k);
                ClaimCheck.Status status = ClaimCheck.Status.NOT_TESTED;
                for (ComparisonResult r : results) {
                    String refName = c.referenceNames().get(r.reference().source());
                    for (ClaimCheck ck : ClaimCheck.check(r, List.of(claim), refName)) {
                        if (ck.claim() != null && ck.status() != ClaimCheck.Status.NOT_TESTED) {
                            status = ck.status();
                        }
                    }
                }
                String p = "pedigree:lineage:declared:" + k + ":";
                props.add(prop(p + "relation", claim.relation()));
                props.add(prop(p + "value", claim.value()));
                props.add(prop(p + "origin", claim.origin()));
                props.add(prop(p + "status", status.name().toLowerCase(Locale.ROOT)));
            }
        }
        model.setProperties(props);
        attachFiles(
                model,
                c.files().stream().filter(h -> h.role().equals("suspect")).toList(),
                "model:suspect:file:");
        if (ancestors.getComponents() != null && !ancestors.getComponents().isEmpty()) {
            Pedigree ped = new Pedigree();
            ped.setAncestors(ancestors);
            ped.setNotes(
                    "Ancestors listed here were verified from the weights by Pedigree (null hypothesis: independent initialisation). "
                            + "Declared lineage that the weights did not verify is recorded only as pedigree:lineage:declared:* properties.");
            model.setPedigree(ped);
        }
        bom.setComponents(new ArrayList<>(List.of(model)));
        return bom;
    }

    private static Component ancestor(ComparisonResult r, int i, String refName, BomContext c) {
        Component a = new Component();
        a.setType(Component.Type.MACHINE_LEARNING_MODEL);
        a.setBomRef("model:reference:" + i);
        a.setName(refName);
        List<String> shared = new ArrayList<>();
        Set<String> tests = new LinkedHashSet<>();
        for (ComponentResult k : r.components()) {
            if (k.verdict() == Verdict.SHARED_LINEAGE) {
                shared.add(k.name());
                for (Evidence e : k.evidence()) {
                    if (e.log10p() != null) {
                        tests.add(e.test()
                                .replaceFirst("^block\\d+~\\d+\\.", "")
                                .replaceAll("(^|\\.)expert\\d+\\.", "$1"));
                    }
                }
            }
        }
        boolean declared = c.declaredClaims() != null
                && ClaimCheck.check(
                                r,
                                c.declaredClaims(),
                                c.referenceNames().get(r.reference().source()))
                        .stream()
                        .anyMatch(k -> k.status() == ClaimCheck.Status.CONFIRMED);
        List<Property> p = new ArrayList<>();
        p.add(prop("pedigree:lineage:status", "verified"));
        p.add(prop("pedigree:lineage:components", String.join(",", shared)));
        p.add(prop("pedigree:lineage:tests", String.join(",", tests)));
        for (ComponentResult k : r.components()) {
            if (k.verdict() == Verdict.SHARED_LINEAGE && k.log10p() != null) {
                p.add(prop("pedigree:lineage:component:" + k.name() + ":log10_p", num(k.log10p())));
            }
        }
        if (r.log10p() != null) {
            p.add(prop("pedigree:lineage:log10_p", num(r.log10p())));
        }
        p.add(prop("pedigree:lineage:inherited_parameter_fraction", num(r.sharedParameterFraction())));
        p.add(prop("pedigree:lineage:declared", Boolean.toString(declared)));
        p.add(prop("pedigree:lineage:source", r.reference().source()));
        a.setProperties(p);
        attachFiles(
                a,
                c.files().stream()
                        .filter(h -> h.role().equals(r.reference().source())
                                || (h.role().equals("reference") && i == 0))
                        .toList(),
                "model:reference:" + i + ":file:");
        return a;
    }

    private static void attachFiles(Component owner, List<FileHash> files, String refPrefix) {
        if (files.size() == 1) {
            owner.setHashes(
                    List.of(new Hash(Hash.Algorithm.SHA_256, files.get(0).sha256())));
            owner.addProperty(prop("pedigree:file", files.get(0).file()));
        } else if (files.size() > 1) {
            List<Component> parts = new ArrayList<>();
            for (int k = 0; k < files.size(); k++) {
                Component f = new Component();
                f.setType(Component.Type.FILE);
                f.setBomRef(refPrefix + k);
                f.setName(files.get(k).file());
                f.setHashes(
                        List.of(new Hash(Hash.Algorithm.SHA_256, files.get(k).sha256())));
                parts.add(f);
            }
            owner.setComponents(parts);
        }
    }

    private static Property prop(String name, String value) {
        return new Property(name, value == null ? "" : value);
    }

    private static String num(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("non-finite value " + v);
        }
        return v == 0
                ? "0"
                : new java.math.BigDecimal(v)
                        .round(new java.math.MathContext(6))
                        .stripTrailingZeros()
                        .toPlainString();
    }

    private static String json(Bom bom) {
        try {
            return BomGeneratorFactory.createJson(Version.VERSION_16, bom).toJsonString(true) + "\n";
        } catch (GeneratorException e) {
            throw new IllegalStateException("CycloneDX serialisation failed", e);
        }
    }

    /** A version-8 UUID from the SHA-256 of {@code content}. */
    static String uuid(String content) {
        byte[] h = Sha256.digest().digest(content.getBytes(StandardCharsets.UTF_8));
        h[6] = (byte) ((h[6] & 0x0f) | 0x80);
        h[8] = (byte) ((h[8] & 0x3f) | 0x80);
        StringBuilder sb = new StringBuilder(36);
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                sb.append('-');
            }
            sb.append(String.format(Locale.ROOT, "%02x", h[i] & 0xff));
        }
        return sb.toString();
    }
}

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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Ancestors;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Pedigree;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.component.ModelCard;
import org.cyclonedx.model.component.modelCard.ModelParameters;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * A CycloneDX 1.6 ML-BOM of the suspect model, built with the CycloneDX Java library.
 *
 * <p>Layout: the suspect is the BOM's subject, {@code metadata.component} ({@code machine-learning-model},
 * bom-ref {@code model:suspect}) with its display name (a repository id or directory name, never a local
 * path), {@code version} (the revision when known), {@code purl} ({@code pkg:huggingface/owner/name@revision}
 * when the source names a Hugging Face repository), {@code licenses} from the model card, the SHA-256 of its
 * files (on the component for a single file, as nested {@code file} components for several, named relative
 * to the model), a model card (architecture in {@code modelParameters.modelArchitecture}; parameter count and
 * format as properties) and its lineage:
 *
 * <ul>
 *   <li>one nested {@code machine-learning-model} component per model component (text decoder, vision
 *       encoder, embeddings, …; bom-ref {@code model:suspect:component:NAME}) with its kind and parameter
 *       count, its verdict against each reference, and its own CycloneDX {@code pedigree.ancestors}: the
 *       references this component was verified to share lineage with, each with the combined log10 p and
 *       one {@code dev.pedigree:lineage:test} property per test that entered the verdict;
 *   <li><b>verified lineage</b> of the whole model (the weights share lineage with a reference) goes into the
 *       subject's {@code pedigree.ancestors}: one component per reference (with its purl when known),
 *       properties {@code dev.pedigree:lineage:status = verified}, one {@code dev.pedigree:lineage:component}
 *       per related component, {@code dev.pedigree:lineage:log10_p},
 *       {@code dev.pedigree:lineage:related_parameter_fraction} and {@code dev.pedigree:lineage:declared};
 *   <li><b>declared lineage</b> (model card {@code base_model}, GGUF metadata) never enters
 *       {@code pedigree.ancestors}: each claim is a group of subject properties
 *       {@code dev.pedigree:lineage:declared:N:relation|value|origin|status}, where status is
 *       {@code confirmed}, {@code contradicted}, {@code not_verified} or {@code not_tested};
 *   <li>every comparison, whatever its verdict, is listed as subject properties
 *       {@code dev.pedigree:comparison:N:reference|verdict|log10_p}.
 * </ul>
 *
 * <p>Property names start with {@value #PREFIX}, a namespace of Pedigree's own that cannot be confused with
 * CycloneDX's {@code pedigree} field. No absolute path of an input appears in the BOM.
 *
 * <p>Deterministic: no timestamp unless the context gives one, and the serial number is a UUID
 * (version 8, RFC 9562) made from the SHA-256 of the BOM serialised without it, so equal inputs
 * give byte-identical output. Stateless and thread-safe.
 */
public final class CycloneDxBom {
    /** The bom-ref of the suspect component. */
    public static final String SUSPECT_REF = "model:suspect";

    /** Prefix of every property name Pedigree writes. */
    public static final String PREFIX = "dev.pedigree:";

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

        ModelIdentity sid = ModelIdentity.of(s.source());
        Component model = new Component();
        model.setType(Component.Type.MACHINE_LEARNING_MODEL);
        model.setBomRef(SUSPECT_REF);
        model.setName(
                c.suspectName() == null
                        ? sid.displayName()
                        : ModelIdentity.of(c.suspectName()).displayName());
        model.setVersion(c.suspectVersion() != null ? c.suspectVersion() : sid.revision());
        model.setPurl(c.suspectPurl() != null ? c.suspectPurl() : sid.purl());
        if (!c.suspectLicenses().isEmpty()) {
            LicenseChoice lc = new LicenseChoice();
            for (ModelCardLicenses.License l : c.suspectLicenses()) {
                License x = new License();
                x.setId(l.id());
                x.setName(l.id() == null ? l.name() : null);
                x.setUrl(l.url());
                lc.addLicense(x);
            }
            model.setLicenses(lc);
        }

        ModelCard card = new ModelCard();
        if (s.architecture() != null) {
            ModelParameters mp = new ModelParameters();
            mp.setModelArchitecture(s.architecture());
            card.setModelParameters(mp);
        }
        List<Property> cardProps = new ArrayList<>();
        cardProps.add(prop("model:parameters", Long.toString(s.parameters())));
        cardProps.add(prop("model:format", s.format()));
        if (s.architecture() != null) {
            cardProps.add(prop("model:architecture", s.architecture()));
        }
        card.setProperties(cardProps);
        model.setModelCard(card);

        List<Property> props = new ArrayList<>();
        Ancestors ancestors = new Ancestors();
        List<String> refNames = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ComparisonResult r = results.get(i);
            String refName = referenceName(r, c);
            refNames.add(refName);
            props.add(prop("comparison:" + i + ":reference", refName));
            props.add(prop("comparison:" + i + ":verdict", r.verdict().name()));
            if (r.log10p() != null) {
                props.add(prop("comparison:" + i + ":log10_p", num(r.log10p())));
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
                String p = "lineage:declared:" + k + ":";
                props.add(prop(p + "relation", claim.relation()));
                props.add(prop(p + "value", claim.value()));
                props.add(prop(p + "origin", claim.origin()));
                props.add(prop(p + "status", status.name().toLowerCase(Locale.ROOT)));
            }
        }
        model.setProperties(props);
        List<Component> parts = modelComponents(results, refNames, model.getName());
        parts.addAll(files(
                model,
                c.files().stream().filter(h -> h.role().equals("suspect")).toList(),
                s.source(),
                SUSPECT_REF + ":file:"));
        if (!parts.isEmpty()) {
            model.setComponents(parts);
        }
        if (ancestors.getComponents() != null && !ancestors.getComponents().isEmpty()) {
            Pedigree ped = new Pedigree();
            ped.setAncestors(ancestors);
            ped.setNotes(
                    "Ancestors listed here were verified from the weights by Pedigree (null hypothesis: independent initialisation). "
                            + "Declared lineage that the weights did not verify is recorded only as dev.pedigree:lineage:declared:* properties.");
            model.setPedigree(ped);
        }
        meta.setComponent(model);
        bom.setMetadata(meta);
        return bom;
    }

    private static String referenceName(ComparisonResult r, BomContext c) {
        String given = c.referenceNames().get(r.reference().source());
        return ModelIdentity.of(given != null ? given : r.reference().source()).displayName();
    }

    /**
     * One component per model component of the suspect (in the order of the first result, then any
     * only later results name), each with its verdict per reference and its own verified ancestors.
     */
    private static List<Component> modelComponents(
            List<ComparisonResult> results, List<String> refNames, String modelName) {
        Map<String, List<ComponentResult>> byName = new LinkedHashMap<>();
        for (ComparisonResult r : results) {
            for (ComponentResult k : r.components()) {
                byName.computeIfAbsent(k.name(), n -> new ArrayList<>());
            }
        }
        List<Component> out = new ArrayList<>();
        for (String name : byName.keySet()) {
            Component part = new Component();
            part.setType(Component.Type.MACHINE_LEARNING_MODEL);
            part.setBomRef(SUSPECT_REF + ":component:" + name);
            part.setName(modelName + " (" + name + ")");
            List<Property> p = new ArrayList<>();
            Ancestors anc = new Ancestors();
            boolean described = false;
            for (int i = 0; i < results.size(); i++) {
                ComparisonResult r = results.get(i);
                for (ComponentResult k : r.components()) {
                    if (!k.name().equals(name)) {
                        continue;
                    }
                    if (!described) {
                        String noun = Findings.noun(k);
                        part.setDescription(
                                Character.toUpperCase(noun.charAt(0)) + noun.substring(1) + " of " + modelName);
                        p.add(prop("component:kind", k.kind().jsonName()));
                        p.add(prop("component:parameters", Long.toString(k.parameters())));
                        described = true;
                    }
                    p.add(prop("comparison:" + i + ":verdict", k.verdict().name()));
                    if (k.log10p() != null) {
                        p.add(prop("comparison:" + i + ":log10_p", num(k.log10p())));
                    }
                    if (k.verdict() == Verdict.SHARED_LINEAGE) {
                        Component a = new Component();
                        a.setType(Component.Type.MACHINE_LEARNING_MODEL);
                        a.setBomRef(part.getBomRef() + ":ancestor:" + i);
                        a.setName(refNames.get(i) + " (" + name + ")");
                        a.setPurl(ModelIdentity.of(r.reference().source()).purl());
                        List<Property> ap = new ArrayList<>();
                        ap.add(prop("lineage:status", "verified"));
                        ap.add(prop("lineage:reference", refNames.get(i)));
                        if (k.log10p() != null) {
                            ap.add(prop("lineage:log10_p", num(k.log10p())));
                        }
                        for (String t : tests(k)) {
                            ap.add(prop("lineage:test", t));
                        }
                        a.setProperties(ap);
                        anc.addComponent(a);
                    }
                }
            }
            part.setProperties(p);
            if (anc.getComponents() != null && !anc.getComponents().isEmpty()) {
                Pedigree ped = new Pedigree();
                ped.setAncestors(anc);
                part.setPedigree(ped);
            }
            out.add(part);
        }
        return out;
    }

    /** The tests that carry evidence in {@code k}, with block and expert indices folded. */
    private static Set<String> tests(ComponentResult k) {
        Set<String> tests = new LinkedHashSet<>();
        for (Evidence e : k.evidence()) {
            if (e.log10p() != null) {
                tests.add(e.test().replaceFirst("^block\\d+~\\d+\\.", "").replaceAll("(^|\\.)expert\\d+\\.", "$1"));
            }
        }
        return tests;
    }

    private static Component ancestor(ComparisonResult r, int i, String refName, BomContext c) {
        Component a = new Component();
        a.setType(Component.Type.MACHINE_LEARNING_MODEL);
        a.setBomRef("model:reference:" + i);
        a.setName(refName);
        a.setPurl(ModelIdentity.of(r.reference().source()).purl());
        boolean declared = c.declaredClaims() != null
                && ClaimCheck.check(
                                r,
                                c.declaredClaims(),
                                c.referenceNames().get(r.reference().source()))
                        .stream()
                        .anyMatch(k -> k.status() == ClaimCheck.Status.CONFIRMED);
        List<Property> p = new ArrayList<>();
        p.add(prop("lineage:status", "verified"));
        for (ComponentResult k : r.components()) {
            if (k.verdict() == Verdict.SHARED_LINEAGE) {
                p.add(prop("lineage:component", k.name()));
            }
        }
        if (r.log10p() != null) {
            p.add(prop("lineage:log10_p", num(r.log10p())));
        }
        p.add(prop("lineage:related_parameter_fraction", num(r.sharedParameterFraction())));
        p.add(prop("lineage:declared", Boolean.toString(declared)));
        a.setProperties(p);
        List<Component> files = files(
                a,
                c.files().stream()
                        .filter(h -> h.role().equals(r.reference().source())
                                || (h.role().equals("reference") && i == 0))
                        .toList(),
                r.reference().source(),
                "model:reference:" + i + ":file:");
        if (!files.isEmpty()) {
            a.setComponents(files);
        }
        return a;
    }

    /**
     * The hashes of a model's files: on {@code owner} for a single file, else as file components
     * (returned). Files are named relative to the model's folder, or by their file name.
     */
    private static List<Component> files(Component owner, List<FileHash> files, String source, String refPrefix) {
        List<Component> parts = new ArrayList<>();
        if (files.size() == 1) {
            if (files.get(0).sha256() != null) {
                owner.setHashes(
                        List.of(new Hash(Hash.Algorithm.SHA_256, files.get(0).sha256())));
            }
            owner.addProperty(prop("file", fileName(files.get(0).file(), source)));
        } else {
            for (int k = 0; k < files.size(); k++) {
                Component f = new Component();
                f.setType(Component.Type.FILE);
                f.setBomRef(refPrefix + k);
                f.setName(fileName(files.get(k).file(), source));
                if (files.get(k).sha256() != null) {
                    f.setHashes(List.of(
                            new Hash(Hash.Algorithm.SHA_256, files.get(k).sha256())));
                }
                parts.add(f);
            }
        }
        return parts;
    }

    /** {@code file} relative to the model folder {@code source} when inside it, else its last segment. */
    static String fileName(String file, String source) {
        String f = file.replace('\\', '/');
        String dir = source.replace('\\', '/');
        while (dir.endsWith("/") && dir.length() > 1) {
            dir = dir.substring(0, dir.length() - 1);
        }
        if (f.startsWith(dir + "/") && f.length() > dir.length() + 1) {
            return f.substring(dir.length() + 1);
        }
        if (!ModelIdentity.isPath(f)) {
            return f;
        }
        int i = f.lastIndexOf('/');
        return i < 0 ? f : f.substring(i + 1);
    }

    private static Property prop(String name, String value) {
        return new Property(PREFIX + name, value == null ? "" : value);
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

package dev.pedigree.attest;

import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Sha256;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Verifies a training ledger ({@code pedigree attest verify}), running four checks and keeping the
 * evidence of each:
 *
 * <ol>
 *   <li>{@code chain}: every line parses and is byte-for-byte canonical JSON; indices count from 0; each {@code prev_hash} is the
 *       previous line's {@code entry_hash}; each {@code entry_hash} recomputes; steps strictly
 *       increase; every checkpoint-sample sidecar exists below the ledger's directory (paths are relative to it), has the
 *       recorded size and SHA-256, decodes, carries the entry's model hash (recomputed from its
 *       tensor hashes) and the ledger's sampling.
 *   <li>{@code initialisation}: the first entry is step 0 and its checkpoint sample passes {@link
 *       InitialisationCheck}; with a registry, it shares lineage with none of the registry's
 *       models (each registry model is sampled with the ledger's sampling and the two
 *       samples are compared by the {@link LineageOracle}).
 *   <li>{@code continuity}: each checkpoint shares lineage with its predecessor, judged from the
 *       two checkpoint samples alone (the same seeded rows and columns of each tensor); identical model
 *       hashes pass without a test.
 *   <li>{@code release}: the released model has the last checkpoint's hash, or shares lineage with
 *       it (from checkpoint samples); SKIPPED without a release.
 * </ol>
 *
 * <p>The registry is either identify's registry database (a file, judged by the {@link RegistryDatabase} given to the
 * constructor, the same database and tests as {@code pedigree identify}) or a directory whose entries (files or model
 * directories) are each opened with {@link ModelOpener}. Stateless apart from the oracle; thread-safe if it is.
 */
public final class ChainVerifier {
    private final LineageOracle oracle;
    private final int threads;
    private final RegistryDatabase database;
    private final Consumer<String> stages;

    /**
     * Judges the step-0 checkpoint against a registry database (identify's SQLite file), where the module that owns
     * that database can: the verifier itself knows only directories of models.
     */
    @FunctionalInterface
    public interface RegistryDatabase {
        /**
         * Findings on step 0 against the database {@code db}: FAIL for every registry model it shares lineage with or
         * copies tensors from, PASS for every one it was compared with and does not.
         *
         * @param step0 the step-0 checkpoint sample (hashes and sampled rows)
         * @param checkpoint the step-0 checkpoint as the ledger names it, or null when it cannot be read here
         * @param subject the ledger entry's subject, for findings about step 0 itself
         */
        List<Finding> judge(Path db, CheckpointSample step0, Path checkpoint, String subject)
                throws IOException, ModelFormatException;
    }

    public ChainVerifier(LineageOracle oracle, int threads) {
        this(oracle, threads, null);
    }

    /** A verifier that takes a registry database as well as a directory of models ({@code database} may be null). */
    public ChainVerifier(LineageOracle oracle, int threads, RegistryDatabase database) {
        this(oracle, threads, database, stage -> {});
    }

    private ChainVerifier(LineageOracle oracle, int threads, RegistryDatabase database, Consumer<String> stages) {
        this.oracle = Objects.requireNonNull(oracle, "oracle");
        this.threads = Math.max(1, threads);
        this.database = database;
        this.stages = Objects.requireNonNull(stages, "stages");
    }

    /**
     * The same verifier, telling {@code stages} each check as it starts ("checking entry 3 of 12", "judging
     * continuity of checkpoint 4 of 12", "hashing the release"), e.g. for progress on a terminal.
     */
    public ChainVerifier withStages(Consumer<String> stages) {
        return new ChainVerifier(oracle, threads, database, stages);
    }

    /**
     * What to verify besides the ledger.
     *
     * @param release the released model, or null
     * @param registry a directory of reference models, or null
     */
    public record Request(Path ledger, Path release, Path registry) {
        public Request {
            Objects.requireNonNull(ledger, "ledger");
        }
    }

    /**
     * Runs every check.
     *
     * @throws IOException if the ledger itself cannot be read (missing, unreadable)
     * @throws ModelFormatException if the release or a registry model cannot be read
     */
    public AttestationReport verify(Request req) throws IOException, ModelFormatException {
        Path ledger = req.ledger();
        String ledgerSha = Sha256.file(ledger);
        List<Finding> chain = new ArrayList<>();
        List<Ledger.Line> lines;
        try {
            lines = Ledger.read(ledger);
        } catch (CorruptModelException e) {
            chain.add(Finding.fail("ledger", "parse", e.getMessage()));
            lines = List.of();
        }
        if (lines.isEmpty() && chain.isEmpty()) {
            chain.add(Finding.fail("ledger", "entries", "the ledger has no entries"));
        }
        List<CheckpointSample> fps = new ArrayList<>();
        Path ledgerDir = ledger.toAbsolutePath().getParent().normalize();
        LedgerEntry prev = null;
        for (Ledger.Line l : lines) {
            LedgerEntry e = l.entry();
            String subj = subject(e);
            int i = fps.size();
            stages.accept("checking ledger entry " + (i + 1) + " of " + lines.size());
            boolean ok = true;
            ok &= expect(chain, subj, "index", e.index() == i, "index " + e.index() + " at position " + i);
            String wantPrev = prev == null ? LedgerEntry.GENESIS : prev.entryHash();
            ok &= expect(
                    chain,
                    subj,
                    "prev_hash",
                    e.prevHash().equals(wantPrev),
                    prev == null
                            ? "prev_hash " + e.prevHash() + " of the first entry is not " + LedgerEntry.GENESIS
                            : "prev_hash " + abbrev(e.prevHash()) + " is not the previous entry_hash "
                                    + abbrev(wantPrev));
            ok &= expect(
                    chain,
                    subj,
                    "entry_hash",
                    e.entryHash().equals(l.recomputedHash()),
                    "stored entry_hash " + abbrev(e.entryHash()) + " but the line hashes to "
                            + abbrev(l.recomputedHash()) + " (line " + l.lineNumber() + ", offset " + l.offset() + ")");
            ok &= expect(
                    chain,
                    subj,
                    "canonical",
                    l.canonical(),
                    "line " + l.lineNumber() + " (offset " + l.offset()
                            + ") is not in canonical JSON form: bytes were added or reordered");
            if (prev != null) {
                ok &= expect(
                        chain,
                        subj,
                        "step_order",
                        e.step() > prev.step(),
                        "step " + e.step() + " does not follow step " + prev.step());
            }
            if (!lines.isEmpty()) {
                LedgerEntry.SidecarRef f0 = lines.getFirst().entry().sidecar();
                LedgerEntry.SidecarRef f = e.sidecar();
                ok &= expect(
                        chain,
                        subj,
                        "sampling",
                        f.seed() == f0.seed()
                                && f.rowSamples() == f0.rowSamples()
                                && f.columnSamples() == f0.columnSamples(),
                        "fingerprint sampling differs from the first entry's");
            }
            CheckpointSample fp = sidecar(chain, subj, e, ledgerDir);
            ok &= fp != null;
            fps.add(fp);
            if (ok) {
                chain.add(Finding.pass(
                        subj,
                        "entry",
                        "hash " + abbrev(e.entryHash()) + " chains to " + abbrev(e.prevHash()) + "; fingerprint "
                                + abbrev(e.sidecar().sha256()) + " matches; model " + abbrev(e.modelHash())));
            }
            prev = e;
        }
        List<CheckResult> checks = new ArrayList<>();
        checks.add(CheckResult.of(
                CheckResult.CHAIN,
                "the ledger's hash chain is intact and every fingerprint matches its entry",
                chain,
                lines.size() + " entries chained from genesis; steps " + steps(lines)));
        stages.accept(
                req.registry() == null
                        ? "checking the step-0 initialisation"
                        : "checking the step-0 initialisation against "
                                + req.registry().getFileName());
        checks.add(initialisation(lines, fps, req.registry(), ledgerDir));
        checks.add(continuity(lines, fps));
        AttestationReport.Subject subject = lines.isEmpty()
                ? null
                : new AttestationReport.Subject(
                        Path.of(lines.getLast().entry().checkpoint())
                                .getFileName()
                                .toString(),
                        lines.getLast().entry().modelHash(),
                        lines.getLast().entry().step());
        CheckResult release;
        if (req.release() == null) {
            release = new CheckResult(
                    CheckResult.RELEASE,
                    "the release equals or derives from the last checkpoint",
                    Status.SKIPPED,
                    "no release given; the attestation's subject is the last checkpoint",
                    List.of());
        } else {
            stages.accept("checking the release " + req.release().getFileName());
            ReleaseOutcome ro = release(req.release(), lines, fps);
            release = ro.result();
            if (ro.subject() != null) {
                subject = ro.subject();
            }
        }
        checks.add(release);
        Status verdict = Status.PASS;
        String failed = null;
        String reason = "every check passed";
        for (CheckResult c : checks) {
            if (c.status() == Status.FAIL) {
                verdict = Status.FAIL;
                failed = c.id();
                reason = "check '" + c.id() + "' failed: " + c.summary();
                break;
            }
        }
        return new AttestationReport(
                AttestationReport.SCHEMA,
                verdict,
                failed,
                reason,
                ledger.toString(),
                ledgerSha,
                lines.size(),
                subject,
                checks,
                null);
    }

    private record ReleaseOutcome(CheckResult result, AttestationReport.Subject subject) {}

    private ReleaseOutcome release(Path releasePath, List<Ledger.Line> lines, List<CheckpointSample> fps)
            throws IOException, ModelFormatException {
        String title = "the release equals or derives from the last checkpoint";
        if (lines.isEmpty() || fps.getLast() == null) {
            return new ReleaseOutcome(
                    new CheckResult(
                            CheckResult.RELEASE,
                            title,
                            Status.SKIPPED,
                            "no readable last checkpoint to compare with",
                            List.of()),
                    null);
        }
        LedgerEntry last = lines.getLast().entry();
        CheckpointSample lastFp = fps.getLast();
        CheckpointSample rel;
        try (ModelView v = ModelOpener.open(releasePath)) {
            rel = CheckpointSampler.of(
                    v,
                    new CheckpointSampler.Options(lastFp.seed(), lastFp.rowSamples(), lastFp.columnSamples(), threads));
        }
        AttestationReport.Subject subject =
                new AttestationReport.Subject(releasePath.getFileName().toString(), rel.modelHash(), last.step());
        List<Finding> f = new ArrayList<>();
        String subj = "release " + releasePath.getFileName();
        if (rel.modelHash().equals(last.modelHash())) {
            f.add(Finding.pass(
                    subj,
                    "identical",
                    "model hash " + abbrev(rel.modelHash()) + " equals the last checkpoint's (" + subject(last) + ")"));
        } else {
            f.add(Finding.info(
                    subj,
                    "identical",
                    "model hash " + abbrev(rel.modelHash()) + " differs from the last checkpoint's "
                            + abbrev(last.modelHash())));
            LineageOracle.Judgement j = judge(rel, lastFp, "release", "last checkpoint");
            f.add(
                    j.verdict() == Verdict.SHARED_LINEAGE
                            ? Finding.pass(
                                    subj,
                                    "derives",
                                    "shares lineage with the last checkpoint (" + subject(last) + "): " + j.detail())
                            : Finding.fail(
                                    subj,
                                    "derives",
                                    "the release neither equals nor derives from the last checkpoint (" + subject(last)
                                            + "): " + j.verdict() + ": " + j.detail()));
        }
        return new ReleaseOutcome(
                CheckResult.of(CheckResult.RELEASE, title, f, f.getLast().detail()), subject);
    }

    private CheckResult initialisation(
            List<Ledger.Line> lines, List<CheckpointSample> fps, Path registry, Path ledgerDir)
            throws IOException, ModelFormatException {
        String title = "the step-0 checkpoint is a fresh initialisation that shares no lineage with a registry model";
        if (lines.isEmpty()) {
            return new CheckResult(CheckResult.INITIALISATION, title, Status.SKIPPED, "no ledger entries", List.of());
        }
        List<Finding> f = new ArrayList<>();
        LedgerEntry first = lines.getFirst().entry();
        if (first.step() != 0) {
            f.add(Finding.fail(
                    subject(first),
                    "step_zero",
                    "the first entry is at step " + first.step() + ", not 0: the initial checkpoint was not recorded"));
        }
        CheckpointSample fp0 = fps.getFirst();
        if (fp0 == null) {
            f.add(Finding.fail(subject(first), "fingerprint", "no readable fingerprint of the first checkpoint"));
            return CheckResult.of(CheckResult.INITIALISATION, title, f, "");
        }
        f.addAll(InitialisationCheck.findings(fp0));
        if (registry != null) {
            f.addAll(registryFindings(fp0, registry, first, ledgerDir));
        }
        long tested = f.stream().filter(x -> x.status() == Status.PASS).count();
        return CheckResult.of(
                CheckResult.INITIALISATION,
                title,
                f,
                "step 0 passes " + tested + " initialisation tests"
                        + (registry == null ? " (no registry given)" : " and shares lineage with no registry model"));
    }

    private List<Finding> registryFindings(CheckpointSample fp0, Path registry, LedgerEntry first, Path ledgerDir)
            throws IOException, ModelFormatException {
        List<Finding> out = new ArrayList<>();
        if (Files.isRegularFile(registry)) {
            if (database == null) {
                throw new java.nio.file.FileSystemException(
                        registry.toString(), null, "a registry database, but this verifier takes only a directory");
            }
            return database.judge(registry, fp0, checkpoint(first, ledgerDir), subject(first));
        }
        if (!Files.isDirectory(registry)) {
            throw new java.nio.file.NoSuchFileException(
                    registry.toString(), null, "no registry database or directory of reference models");
        }
        List<Path> models = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(registry)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".")) {
                    models.add(p);
                }
            }
        }
        models.sort(null);
        if (models.isEmpty()) {
            out.add(Finding.info("registry " + registry, "registry", "the registry directory holds no models"));
        }
        for (Path p : models) {
            CheckpointSample ref;
            try (ModelView v = ModelOpener.open(p)) {
                ref = CheckpointSampler.of(
                        v, new CheckpointSampler.Options(fp0.seed(), fp0.rowSamples(), fp0.columnSamples(), threads));
            }
            String subj = "registry " + p.getFileName();
            if (ref.modelHash().equals(fp0.modelHash())) {
                out.add(Finding.fail(
                        subj,
                        "registry_identical",
                        "step 0 is identical to this registry model (model hash " + abbrev(ref.modelHash()) + ")"));
                continue;
            }
            LineageOracle.Judgement j =
                    judge(fp0, ref, "step 0", p.getFileName().toString());
            out.add(
                    j.verdict() == Verdict.SHARED_LINEAGE
                            ? Finding.fail(
                                    subj,
                                    "registry_lineage",
                                    "step 0 shares lineage with this registry model: " + j.detail())
                            : Finding.pass(subj, "registry_lineage", j.verdict() + ": " + j.detail()));
        }
        return out;
    }

    private CheckResult continuity(List<Ledger.Line> lines, List<CheckpointSample> fps)
            throws IOException, ModelFormatException {
        String title = "each checkpoint continues its predecessor (shared lineage, judged from the fingerprints)";
        if (lines.size() < 2) {
            return new CheckResult(
                    CheckResult.CONTINUITY,
                    title,
                    lines.isEmpty() ? Status.SKIPPED : Status.PASS,
                    lines.isEmpty() ? "no ledger entries" : "a single checkpoint: nothing to chain",
                    List.of());
        }
        List<Finding> f = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            LedgerEntry a = lines.get(i - 1).entry();
            LedgerEntry b = lines.get(i).entry();
            String subj = "checkpoint " + b.index() + " (step " + b.step() + ")";
            stages.accept(
                    "judging whether checkpoint " + (i + 1) + " of " + lines.size() + " continues its predecessor");
            CheckpointSample fa = fps.get(i - 1);
            CheckpointSample fb = fps.get(i);
            if (fa == null || fb == null) {
                f.add(Finding.fail(
                        subj,
                        "continuation",
                        "cannot judge: a fingerprint of checkpoint " + (fa == null ? a.index() : b.index())
                                + " is missing or invalid"));
                continue;
            }
            if (fa.modelHash().equals(fb.modelHash())) {
                f.add(Finding.pass(
                        subj,
                        "continuation",
                        "identical weights to checkpoint " + a.index() + " (step " + a.step() + ")"));
                continue;
            }
            LineageOracle.Judgement j = judge(fb, fa, "checkpoint " + b.index(), "checkpoint " + a.index());
            switch (j.verdict()) {
                case SHARED_LINEAGE ->
                    f.add(Finding.pass(
                            subj,
                            "continuation",
                            "continues checkpoint " + a.index() + " (step " + a.step() + "): " + j.detail()));
                case INDEPENDENT ->
                    f.add(Finding.fail(
                            subj,
                            "continuation",
                            "checkpoint " + b.index() + " (step " + b.step() + ") is not a continuation of checkpoint "
                                    + a.index() + " (step " + a.step() + "): INDEPENDENT: " + j.detail()));
                case INCONCLUSIVE ->
                    f.add(Finding.fail(
                            subj,
                            "continuation",
                            "checkpoint " + b.index() + " (step " + b.step()
                                    + ") could not be shown to continue checkpoint " + a.index() + " (step " + a.step()
                                    + "): INCONCLUSIVE: " + j.detail()));
            }
        }
        return CheckResult.of(
                CheckResult.CONTINUITY, title, f, (lines.size() - 1) + " consecutive pairs share lineage");
    }

    private LineageOracle.Judgement judge(
            CheckpointSample suspect, CheckpointSample reference, String sName, String rName)
            throws IOException, ModelFormatException {
        if (!suspect.alignedWith(reference)) {
            return new LineageOracle.Judgement(Verdict.INCONCLUSIVE, null, "fingerprints were sampled differently");
        }
        try (ModelView s = suspect.toView(sName);
                ModelView r = reference.toView(rName)) {
            return oracle.compare(s, r);
        } catch (RuntimeException e) {
            // A failure of the engine on a strange pair must not end the verification: nothing was shown.
            return new LineageOracle.Judgement(
                    Verdict.INCONCLUSIVE, null, "the lineage engine failed on this pair: " + e);
        }
    }

    private static CheckpointSample sidecar(List<Finding> out, String subj, LedgerEntry e, Path ledgerDir)
            throws IOException {
        LedgerEntry.SidecarRef ref = e.sidecar();
        Path p;
        try {
            p = ledgerDir.resolve(ref.path()).normalize();
        } catch (java.nio.file.InvalidPathException ex) {
            out.add(Finding.fail(subj, "fingerprint", "fingerprint path " + ref.path() + " is not a path"));
            return null;
        }
        if (!p.startsWith(ledgerDir)) {
            out.add(Finding.fail(
                    subj,
                    "fingerprint",
                    "fingerprint path " + ref.path() + " lies outside the ledger's directory " + ledgerDir));
            return null;
        }
        if (!Files.isRegularFile(p)) {
            out.add(Finding.fail(subj, "fingerprint", "fingerprint " + p + " is missing"));
            return null;
        }
        long size = Files.size(p);
        if (size != ref.bytes() || size > CheckpointSampleCodec.MAX_BYTES) {
            out.add(Finding.fail(
                    subj,
                    "fingerprint_sha256",
                    "fingerprint " + p.getFileName() + " has " + size + " bytes, the entry says " + ref.bytes()));
            return null;
        }
        byte[] b = Files.readAllBytes(p);
        String sha = Sha256.hex(b);
        if (!sha.equals(ref.sha256())) {
            out.add(Finding.fail(
                    subj,
                    "fingerprint_sha256",
                    "fingerprint " + p.getFileName() + " hashes to " + abbrev(sha) + ", the entry says "
                            + abbrev(ref.sha256())));
            return null;
        }
        CheckpointSample fp;
        try {
            fp = CheckpointSampleCodec.decode(b, p.toString());
        } catch (CorruptModelException ex) {
            out.add(Finding.fail(subj, "fingerprint", ex.getMessage()));
            return null;
        }
        String recomputed = ModelHash.of(fp);
        if (!fp.modelHash().equals(e.modelHash()) || !recomputed.equals(e.modelHash())) {
            out.add(Finding.fail(
                    subj,
                    "fingerprint_model",
                    "fingerprint's model hash " + abbrev(recomputed) + " is not the entry's " + abbrev(e.modelHash())));
            return null;
        }
        if (fp.seed() != ref.seed()
                || fp.rowSamples() != ref.rowSamples()
                || fp.columnSamples() != ref.columnSamples()) {
            out.add(Finding.fail(subj, "fingerprint", "fingerprint sampling differs from the entry's"));
            return null;
        }
        return fp;
    }

    private static boolean expect(List<Finding> out, String subj, String test, boolean ok, String failure) {
        if (!ok) {
            out.add(Finding.fail(subj, test, failure));
        }
        return ok;
    }

    static String subject(LedgerEntry e) {
        return "entry " + e.index() + " (step " + e.step() + ")";
    }

    private static String steps(List<Ledger.Line> lines) {
        if (lines.size() <= 8) {
            return lines.stream()
                    .map(l -> Long.toString(l.entry().step()))
                    .toList()
                    .toString();
        }
        return String.format(
                Locale.ROOT,
                "%d … %d",
                lines.getFirst().entry().step(),
                lines.getLast().entry().step());
    }

    /** The checkpoint an entry names, where it can be read here (relative names: to the ledger, then as given). */
    static Path checkpoint(LedgerEntry e, Path ledgerDir) {
        Path p = Path.of(e.checkpoint());
        for (Path c : p.isAbsolute() ? List.of(p) : List.of(ledgerDir.resolve(p), p)) {
            if (Files.exists(c)) {
                return c;
            }
        }
        return null;
    }

    static String abbrev(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}

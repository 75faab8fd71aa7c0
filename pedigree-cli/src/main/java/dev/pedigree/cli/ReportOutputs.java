package dev.pedigree.cli;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.format.tokenizers.encode.Encoder;
import dev.pedigree.format.tokenizers.encode.Encoders;
import dev.pedigree.format.tokenizers.encode.FitnessReport;
import dev.pedigree.format.tokenizers.encode.LanguageFitness;
import dev.pedigree.format.tokenizers.encode.TokenizerFitness;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Sha256;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.model.ModelView;
import dev.pedigree.report.FileHash;
import dev.pedigree.report.LanguageFitnessRow;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.bom.BomContext;
import dev.pedigree.report.bom.CycloneDxBom;
import dev.pedigree.report.dossier.Dossier;
import dev.pedigree.report.html.HtmlReport;
import dev.pedigree.report.markdown.MarkdownReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes the human-readable outputs of a comparison (HTML, Markdown, CycloneDX, dossier) and
 * gathers the context they need: the command line, the version, input file hashes, declared claims
 * and, with a corpus, language fitness of both tokenizers.
 */
final class ReportOutputs {
    private ReportOutputs() {}

    /** SHA-256 of every file behind both views; remote sources are listed by URL without a hash. */
    static List<FileHash> hashInputs(ModelView suspect, ModelView reference) throws IOException {
        List<FileHash> out = new ArrayList<>();
        for (var e : Map.of("suspect", suspect, "reference", reference).entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .toList()) {
            ModelView v = e.getValue();
            if (v.files().isEmpty()) {
                out.add(new FileHash(
                        e.getKey(),
                        v.source(),
                        "remote (revision " + v.metadata().getOrDefault("remote.revision", "?") + ", commit "
                                + v.metadata().getOrDefault("remote.commit", "?") + ")"));
            }
            for (Path f : v.files()) {
                out.add(new FileHash(e.getKey(), f.toString(), sha256(f)));
            }
        }
        return out;
    }

    static String sha256(Path f) throws IOException {
        return Sha256.file(f);
    }

    /** Language fitness of both tokenizers on {@code corpus}, with the suspect's gain over the reference. */
    static FitnessReport fitness(ModelView suspect, ModelView reference, Path corpus)
            throws IOException, ModelFormatException {
        Map<String, Encoder> enc = new LinkedHashMap<>();
        if (suspect.vocabulary().isPresent()) {
            enc.put("suspect", Encoders.of(suspect.vocabulary().get()));
        }
        if (reference.vocabulary().isPresent()) {
            enc.put("reference", Encoders.of(reference.vocabulary().get()));
        }
        if (enc.isEmpty()) {
            return null;
        }
        List<String> lines = LanguageFitness.readCorpus(corpus);
        boolean both = enc.size() == 2;
        return LanguageFitness.measure(
                corpus.toString(), lines, enc, both ? "suspect" : null, both ? "reference" : null, 20);
    }

    static ReportContext context(
            String commandLine,
            List<FileHash> hashes,
            List<LineageClaim> claims,
            String referenceName,
            FitnessReport fit) {
        ReportContext.Builder b = ReportContext.builder()
                .commandLine(commandLine)
                .pedigreeVersion(Main.version())
                .inputHashes(hashes)
                .declaredClaims(claims)
                .referenceName(referenceName);
        if (fit != null) {
            List<LanguageFitnessRow> rows = new ArrayList<>();
            for (TokenizerFitness f : fit.tokenizers()) {
                rows.add(new LanguageFitnessRow(
                        f.name() + " (" + f.description() + ")",
                        f.tokensPerCharacter(),
                        f.tokensPerWord(),
                        String.format(
                                Locale.ROOT,
                                "%d tokens; byte fallback %.1f%%, unknown %d",
                                f.tokens(),
                                100 * f.fallbackShare(),
                                f.unknownTokens())));
            }
            b.languageFitness(rows);
            fit.gainAnalysis().ifPresent(g -> b.addedTokenScripts(g.occurrencesByScript()));
        }
        return b.build();
    }

    static BomContext bom(ReportContext ctx, String suspectName, String referenceSource, String referenceName) {
        return new BomContext(
                suspectName,
                null,
                ctx.inputHashes(),
                ctx.declaredClaims(),
                Map.of(referenceSource, referenceName),
                Main.version(),
                null);
    }

    static void write(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    static void writeAll(
            ComparisonResult r, ReportContext ctx, BomContext bom, Path html, Path markdown, Path cyclonedx)
            throws IOException {
        if (html != null) {
            write(html, HtmlReport.render(r, ctx));
        }
        if (markdown != null) {
            write(markdown, MarkdownReport.render(r, ctx));
        }
        if (cyclonedx != null) {
            write(cyclonedx, CycloneDxBom.render(r, bom));
        }
    }

    /**
     * Writes a reproducible dossier: the deterministic result, reports and BOM, plus the exact
     * command, Pedigree's version, the input hashes and a {@code rerun.sh} that reruns the comparison
     * and checks that the JSON is byte-for-byte the same.
     */
    static void dossier(Path dir, ComparisonResult r, ReportContext ctx, BomContext bom, List<String> args)
            throws IOException {
        Dossier.write(dir, r, ctx, bom);
        write(dir.resolve("command.txt"), ctx.commandLine() + "\n");
        write(dir.resolve("VERSION"), Main.version() + "\n");
        StringBuilder inputs = new StringBuilder();
        for (FileHash h : ctx.inputHashes()) {
            inputs.append(h.sha256())
                    .append("  ")
                    .append(h.role())
                    .append("  ")
                    .append(h.file())
                    .append('\n');
        }
        write(dir.resolve("inputs.sha256"), inputs.toString());
        String launcher = System.getenv().getOrDefault("PEDIGREE_LAUNCHER", "pedigree");
        String cwd = Path.of("").toAbsolutePath().toString();
        StringBuilder sh = new StringBuilder();
        sh.append("#!/usr/bin/env bash\n");
        sh.append(
                "# Reruns the comparison that produced this dossier and checks that result.json is reproduced byte for byte.\n");
        sh.append("# Inputs must be unchanged (see inputs.sha256); PEDIGREE overrides the launcher.\n");
        sh.append("set -euo pipefail\n");
        sh.append("here=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n");
        sh.append("pedigree=\"${PEDIGREE:-")
                .append(shellEscapeInDouble(launcher))
                .append("}\"\n");
        sh.append("out=\"$(mktemp -d)\"\n");
        sh.append("cd ").append(shellQuote(cwd)).append('\n');
        sh.append("set +e\n\"$pedigree\"");
        List<String> rerun = rerunArgs(args);
        for (String a : rerun) {
            sh.append(' ').append(shellQuote(a));
        }
        sh.append(" --json \"$out/result.json\" >/dev/null\ncode=$?\nset -e\n");
        sh.append(
                "if [ \"$code\" -ne 10 ] && [ \"$code\" -ne 11 ] && [ \"$code\" -ne 12 ]; then echo \"rerun failed with exit code $code\" >&2; exit \"$code\"; fi\n");
        sh.append(
                "if cmp -s \"$out/result.json\" \"$here/result.json\"; then echo \"reproduced: result.json is identical\"; else echo \"NOT reproduced: result.json differs\" >&2; diff \"$out/result.json\" \"$here/result.json\" | head -20 >&2; exit 1; fi\n");
        Path rerunFile = dir.resolve("rerun.sh");
        write(rerunFile, sh.toString());
        try {
            Files.setPosixFilePermissions(
                    rerunFile,
                    Set.of(
                            PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OWNER_WRITE,
                            PosixFilePermission.OWNER_EXECUTE,
                            PosixFilePermission.GROUP_READ,
                            PosixFilePermission.GROUP_EXECUTE,
                            PosixFilePermission.OTHERS_READ,
                            PosixFilePermission.OTHERS_EXECUTE));
        } catch (UnsupportedOperationException e) {
            // Non-POSIX file system: the script is still runnable with "bash rerun.sh".
        }
    }

    /** The original arguments without output options (rerun writes its own JSON and nothing else). */
    static List<String> rerunArgs(List<String> args) {
        Set<String> withValue = Set.of("--json", "--html", "--markdown", "--cyclonedx", "--dossier");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (withValue.contains(a)) {
                i++;
                continue;
            }
            if (withValue.stream().anyMatch(w -> a.startsWith(w + "="))) {
                continue;
            }
            out.add(a);
        }
        return out;
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String shellEscapeInDouble(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
    }
}

package dev.pedigree.report.dossier;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.io.Sha256;
import dev.pedigree.report.FileHash;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.ReportFormat;
import dev.pedigree.report.bom.BomContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A reproducible dossier of one comparison, the whole of it: every {@link ReportFormat}'s rendering
 * ({@code result.json}, {@code report.html}, {@code report.md}, {@code bom.cdx.json}), {@code
 * SHA256SUMS} over them (in {@code sha256sum} format), the exact command ({@code command.txt}),
 * Pedigree's version ({@code VERSION}), the input hashes ({@code inputs.sha256}) and a {@code
 * rerun.sh} that reruns the comparison and checks that the JSON is byte-for-byte the same. The same
 * result, contexts and {@link Rerun} give byte-identical files on every run (the report's
 * generated-at stamp and the BOM timestamp are dropped).
 */
public final class Dossier {
    /** The option that asks {@code compare} for a dossier. */
    public static final String OPTION = "--dossier";

    /** The rendered files and their checksums, in the order they are written. */
    public static final List<String> RENDERED = Stream.concat(
                    Stream.of(ReportFormat.values()).map(ReportFormat::dossierFile), Stream.of("SHA256SUMS"))
            .toList();

    /** Every file, in the order they are written. */
    public static final List<String> FILES = Stream.concat(
                    RENDERED.stream(), Stream.of("command.txt", "VERSION", "inputs.sha256", "rerun.sh"))
            .toList();

    private Dossier() {}

    /**
     * How to run the comparison again.
     *
     * @param args the original arguments of the command (after the launcher)
     * @param launcher the launcher {@code rerun.sh} calls unless {@code PEDIGREE} says otherwise
     * @param workingDirectory where the command ran (relative inputs resolve from there)
     */
    public record Rerun(List<String> args, String launcher, Path workingDirectory) {
        public Rerun {
            args = List.copyOf(args);
            Objects.requireNonNull(launcher, "launcher");
            Objects.requireNonNull(workingDirectory, "workingDirectory");
        }
    }

    /** The rendered files by name ({@link #RENDERED}), without touching the disk. */
    public static Map<String, String> render(ComparisonResult r, ReportContext report, BomContext bom) {
        ReportContext rc = (report == null ? ReportContext.EMPTY : report).withoutGeneratedAt();
        BomContext b = bom == null ? BomContext.EMPTY : bom;
        BomContext bc = b.withTimestamp(null);
        Map<String, String> out = new LinkedHashMap<>();
        for (ReportFormat f : ReportFormat.values()) {
            out.put(f.dossierFile(), f.render(r, rc, bc));
        }
        StringBuilder sums = new StringBuilder();
        for (Map.Entry<String, String> e : out.entrySet()) {
            sums.append(sha256(e.getValue())).append("  ").append(e.getKey()).append('\n');
        }
        out.put("SHA256SUMS", sums.toString());
        return out;
    }

    /**
     * Writes the whole dossier into {@code dir} (created if needed), replacing files of the same
     * names: the renderings, then the command ({@code report}'s command line), the version ({@code
     * report}'s), the input hashes ({@code report}'s) and {@code rerun.sh}.
     *
     * @return the written files, in the order of {@link #FILES}
     */
    public static List<Path> write(Path dir, ComparisonResult r, ReportContext report, BomContext bom, Rerun rerun)
            throws IOException {
        Files.createDirectories(dir);
        ReportContext rc = report == null ? ReportContext.EMPTY : report;
        Map<String, String> files = new LinkedHashMap<>(render(r, rc, bom));
        files.put("command.txt", rc.commandLine() + "\n");
        files.put("VERSION", rc.pedigreeVersion() + "\n");
        StringBuilder inputs = new StringBuilder();
        for (FileHash h : rc.inputHashes()) {
            if (h.sha256() == null) {
                // not a sha256sum line: a remote file read by ranges has no digest here
                inputs.append("# ")
                        .append(h.role())
                        .append("  ")
                        .append(h.file())
                        .append(": ");
                inputs.append(h.unhashed()).append('\n');
                continue;
            }
            inputs.append(h.sha256())
                    .append("  ")
                    .append(h.role())
                    .append("  ")
                    .append(h.file())
                    .append('\n');
        }
        files.put("inputs.sha256", inputs.toString());
        files.put("rerun.sh", rerunScript(rerun));
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
            written.add(f);
        }
        makeExecutable(dir.resolve("rerun.sh"));
        return written;
    }

    /**
     * The command that determines the result, as a shell line: {@code pedigree} and the arguments
     * of {@link #rerunArgs}, each quoted. Output destinations are left out, so that a dossier written
     * twice (or to another place) is byte-identical.
     */
    public static String commandLine(List<String> args) {
        StringBuilder b = new StringBuilder("pedigree");
        for (String a : rerunArgs(args)) {
            b.append(' ').append(shellQuote(a));
        }
        return b.toString();
    }

    /**
     * The original arguments without output options (every {@link ReportFormat}'s and {@link
     * #OPTION}, with their values): a rerun writes its own JSON and nothing else.
     */
    public static List<String> rerunArgs(List<String> args) {
        Set<String> withValue = Stream.concat(
                        Stream.of(ReportFormat.values()).map(ReportFormat::option), Stream.of(OPTION))
                .collect(Collectors.toUnmodifiableSet());
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

    /** {@code s} in single quotes for a POSIX shell. */
    public static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String rerunScript(Rerun rerun) {
        StringBuilder sh = new StringBuilder();
        sh.append("#!/usr/bin/env bash\n");
        sh.append(
                "# Reruns the comparison that produced this dossier and checks that result.json is reproduced byte for byte.\n");
        sh.append("# Inputs must be unchanged (see inputs.sha256); PEDIGREE overrides the launcher.\n");
        sh.append("set -euo pipefail\n");
        sh.append("here=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n");
        sh.append("pedigree=\"${PEDIGREE:-")
                .append(shellEscapeInDouble(rerun.launcher()))
                .append("}\"\n");
        sh.append("out=\"$(mktemp -d)\"\n");
        sh.append("cd ").append(shellQuote(rerun.workingDirectory().toString())).append('\n');
        sh.append("set +e\n\"$pedigree\"");
        for (String a : rerunArgs(rerun.args())) {
            sh.append(' ').append(shellQuote(a));
        }
        sh.append(" --json \"$out/result.json\" >/dev/null\ncode=$?\nset -e\n");
        sh.append(
                "if [ \"$code\" -ne 10 ] && [ \"$code\" -ne 11 ] && [ \"$code\" -ne 12 ]; then echo \"rerun failed with exit code $code\" >&2; exit \"$code\"; fi\n");
        sh.append(
                "if cmp -s \"$out/result.json\" \"$here/result.json\"; then echo \"reproduced: result.json is identical\"; else echo \"NOT reproduced: result.json differs\" >&2; diff \"$out/result.json\" \"$here/result.json\" | head -20 >&2; exit 1; fi\n");
        return sh.toString();
    }

    private static void makeExecutable(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(
                    file,
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

    private static String shellEscapeInDouble(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
    }

    static String sha256(String s) {
        return Sha256.hex(s.getBytes(StandardCharsets.UTF_8));
    }
}

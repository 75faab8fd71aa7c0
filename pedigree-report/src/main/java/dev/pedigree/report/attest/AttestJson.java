package dev.pedigree.report.attest;

import dev.pedigree.attest.AttestationReport;
import dev.pedigree.attest.CheckResult;
import dev.pedigree.attest.Finding;
import dev.pedigree.report.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders an {@link AttestationReport} as {@code pedigree/attest-verify/v1}: the record's
 * components in declaration order with snake_case names, nulls written, in {@link
 * Json.Layout#INLINE_ARRAYS} (the bytes databind wrote for the record before this renderer).
 * Computes nothing. Stateless.
 */
public final class AttestJson {
    private AttestJson() {}

    /** The report as a tree of maps, lists and scalars. */
    public static Map<String, Object> tree(AttestationReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", r.schema());
        m.put("verdict", r.verdict().name());
        m.put("failed_check", r.failedCheck());
        m.put("reason", r.reason());
        m.put("ledger", r.ledger());
        m.put("ledger_sha256", r.ledgerSha256());
        m.put("entries", r.entries());
        m.put("subject", r.subject() == null ? null : subject(r.subject()));
        List<Object> checks = new ArrayList<>();
        for (CheckResult c : r.checks()) {
            checks.add(check(c));
        }
        m.put("checks", checks);
        m.put("signature", r.signature() == null ? null : signature(r.signature()));
        return m;
    }

    /** The report's JSON text (with a final newline). */
    public static String write(AttestationReport r) {
        return Json.write(tree(r), Json.Layout.INLINE_ARRAYS);
    }

    /** Writes the report's JSON to {@code file}. */
    public static void write(AttestationReport r, Path file) throws IOException {
        Files.writeString(file, write(r), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> subject(AttestationReport.Subject s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("model_hash", s.modelHash());
        m.put("step", s.step());
        return m;
    }

    private static Map<String, Object> check(CheckResult c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("title", c.title());
        m.put("status", c.status().name());
        m.put("summary", c.summary());
        List<Object> findings = new ArrayList<>();
        for (Finding f : c.findings()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("subject", f.subject());
            x.put("test", f.test());
            x.put("status", f.status().name());
            x.put("detail", f.detail());
            findings.add(x);
        }
        m.put("findings", findings);
        return m;
    }

    private static Map<String, Object> signature(AttestationReport.SignatureCheck s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("statement", s.statement());
        m.put("verified", s.verified());
        m.put("keyid", s.keyid());
        m.put("detail", s.detail());
        return m;
    }
}

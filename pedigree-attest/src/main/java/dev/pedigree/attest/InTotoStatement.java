package dev.pedigree.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The in-toto v1 statement of a training-lineage verification.
 *
 * <pre>
 * {"_type": "https://in-toto.io/Statement/v1",
 *  "subject": [{"name": release or last checkpoint file name,
 *               "digest": {"pedigree-model-hash-v1": model hash}}],
 *  "predicateType": "https://pedigree.dev/attestation/training-lineage/v1",
 *  "predicate": {"verdict", "hash_definition", "ledger": {path, sha256, entries, head, first_step, last_step},
 *                "checks": [{id, status, summary, failures}], "verifier", "verified_at"}}
 * </pre>
 *
 * The subject's digest uses the custom algorithm name {@value #DIGEST_ALGORITHM} (in-toto digest
 * sets allow custom names), because the {@link ModelHash} is not the SHA-256 of any one file.
 * Stateless and thread-safe.
 */
public final class InTotoStatement {
    public static final String TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://pedigree.dev/attestation/training-lineage/v1";
    public static final String DIGEST_ALGORITHM = "pedigree-model-hash-v1";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private InTotoStatement() {}

    /** The statement of {@code report} as JSON bytes (the DSSE payload). */
    public static byte[] of(AttestationReport report, String ledgerHead, long firstStep, Instant at) {
        if (report.subject() == null) {
            throw new IllegalArgumentException("a report without a subject cannot be attested");
        }
        ObjectNode st = MAPPER.createObjectNode();
        st.put("_type", TYPE);
        ObjectNode subj = st.putArray("subject").addObject();
        subj.put("name", report.subject().name());
        subj.putObject("digest").put(DIGEST_ALGORITHM, report.subject().modelHash());
        st.put("predicateType", PREDICATE_TYPE);
        ObjectNode p = st.putObject("predicate");
        p.put("verdict", report.verdict().name());
        p.put("hash_definition", ModelHash.DEFINITION);
        ObjectNode l = p.putObject("ledger");
        l.put("path", report.ledger());
        l.put("sha256", report.ledgerSha256());
        l.put("entries", report.entries());
        l.put("head", ledgerHead);
        l.put("first_step", firstStep);
        l.put("last_step", report.subject().step());
        ArrayNode checks = p.putArray("checks");
        for (CheckResult c : report.checks()) {
            ObjectNode o = checks.addObject();
            o.put("id", c.id());
            o.put("status", c.status().name());
            o.put("summary", c.summary());
            o.put("findings", c.findings().size());
            ArrayNode f = o.putArray("failures");
            c.failures().forEach(x -> f.add(x.subject() + ": " + x.detail()));
        }
        p.putObject("verifier").put("name", "pedigree attest verify").put("report_schema", AttestationReport.SCHEMA);
        p.put("verified_at", at.toString());
        try {
            return MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(st)
                    .getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("serialising a statement failed", e);
        }
    }

    /**
     * Checks that a verified envelope's payload is this kind of statement about {@code report}'s
     * subject with a PASS verdict; returns null when it is, otherwise why not.
     */
    public static String mismatch(byte[] payload, AttestationReport report) {
        JsonNode st;
        try {
            st = MAPPER.readTree(payload);
        } catch (IOException e) {
            return "payload is not JSON: " + e.getMessage();
        }
        if (st == null || !TYPE.equals(st.path("_type").asText())) {
            return "payload is not an in-toto v1 statement";
        }
        if (!PREDICATE_TYPE.equals(st.path("predicateType").asText())) {
            return "predicateType is " + st.path("predicateType").asText() + ", not " + PREDICATE_TYPE;
        }
        if (!"PASS".equals(st.path("predicate").path("verdict").asText())) {
            return "the statement's verdict is "
                    + st.path("predicate").path("verdict").asText() + ", not PASS";
        }
        if (report.subject() == null) {
            return "this verification has no subject to match";
        }
        String want = report.subject().modelHash();
        for (JsonNode s : st.path("subject")) {
            if (want.equals(s.path("digest").path(DIGEST_ALGORITHM).asText())) {
                return null;
            }
        }
        return "no subject of the statement has digest " + DIGEST_ALGORITHM + ":" + want;
    }
}

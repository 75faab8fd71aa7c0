package dev.pedigree.attest;

import java.util.List;
import java.util.Objects;

/**
 * The result of one verification check, with its evidence. Immutable.
 *
 * @param id {@code chain}, {@code initialisation}, {@code continuity} or {@code release}
 * @param title one line saying what the check establishes
 * @param status PASS, FAIL or SKIPPED
 * @param summary why: for a failure, the first failing finding in words
 * @param findings every finding, passing ones included
 */
public record CheckResult(String id, String title, Status status, String summary, List<Finding> findings) {
    public static final String CHAIN = "chain";
    public static final String INITIALISATION = "initialisation";
    public static final String CONTINUITY = "continuity";
    public static final String RELEASE = "release";

    public CheckResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(summary, "summary");
        findings = List.copyOf(findings);
        if (status == Status.INFO) {
            throw new IllegalArgumentException("a check is PASS, FAIL or SKIPPED");
        }
    }

    /** PASS when no finding failed, otherwise FAIL with the first failure as summary. */
    static CheckResult of(String id, String title, List<Finding> findings, String passSummary) {
        for (Finding f : findings) {
            if (f.status() == Status.FAIL) {
                return new CheckResult(id, title, Status.FAIL, f.subject() + ": " + f.detail(), findings);
            }
        }
        return new CheckResult(id, title, Status.PASS, passSummary, findings);
    }

    /** The failing findings. */
    public List<Finding> failures() {
        return findings.stream().filter(f -> f.status() == Status.FAIL).toList();
    }
}

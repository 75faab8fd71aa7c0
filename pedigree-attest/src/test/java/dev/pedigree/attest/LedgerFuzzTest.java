package dev.pedigree.attest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.testkit.Mutations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a valid ledger: verification never throws and never passes a changed
 * ledger (a fake oracle answers SHARED_LINEAGE, so only the chain is under test).
 */
class LedgerFuzzTest {
    @TempDir
    Path dir;

    @Test
    void everyMutationOfTheLedgerFailsTheChainCheck() throws Exception {
        Path ledger = dir.resolve("l.ledger");
        for (int i = 0; i < 3; i++) {
            Path f = TinyChain.save(TinyChain.init(1 + i, 1), dir.resolve("step-" + (i * 10) + ".safetensors"));
            Recorder.record(ledger, f, null, Recorder.Options.DEFAULT.withSeed(3L));
        }
        byte[] good = Files.readAllBytes(ledger);
        LineageOracle yes = (s, r) -> new LineageOracle.Judgement(Verdict.SHARED_LINEAGE, -10.0, "fake");
        ChainVerifier v = new ChainVerifier(yes, 1);
        assertThat(v.verify(new ChainVerifier.Request(ledger, null, null))
                        .check(CheckResult.CHAIN)
                        .orElseThrow()
                        .status())
                .isEqualTo(Status.PASS);
        SplittableRandom r = new SplittableRandom(77);
        int cases = Integer.getInteger("ledger.fuzz.cases", 2000);
        int failed = 0;
        int unchanged = 0;
        int truncated = 0;
        for (int i = 0; i < cases; i++) {
            byte[] m = Mutations.mutate(good, good.length, Mutations.JSON_TOKENS, r);
            Files.write(ledger, m);
            AttestationReport rep = v.verify(new ChainVerifier.Request(ledger, null, null));
            if (java.util.Arrays.equals(m, good)) {
                unchanged++;
                continue;
            }
            if (m.length < good.length
                    && m.length > 0
                    && m[m.length - 1] == '\n'
                    && java.util.Arrays.equals(m, java.util.Arrays.copyOf(good, m.length))) {
                // Dropping whole trailing entries leaves a valid shorter chain: a hash chain cannot see
                // its own tail cut off. The signed statement pins the head and the entry count.
                assertThat(rep.check(CheckResult.CHAIN).orElseThrow().status()).isEqualTo(Status.PASS);
                truncated++;
                continue;
            }
            // Whitespace-free canonical lines: any other byte change alters the chain or the parse.
            assertThat(rep.check(CheckResult.CHAIN).orElseThrow().status())
                    .as("mutation %d: %s", i, describe(good, m))
                    .isEqualTo(Status.FAIL);
            assertThat(rep.verdict()).isEqualTo(Status.FAIL);
            failed++;
        }
        System.out.printf(
                "ledger fuzz: %d cases, %d failed the chain check, %d cut whole trailing entries (valid prefix), %d left the ledger unchanged%n",
                cases, failed, truncated, unchanged);
    }

    private static String describe(byte[] good, byte[] m) {
        int i = 0;
        while (i < Math.min(good.length, m.length) && good[i] == m[i]) {
            i++;
        }
        int from = Math.max(0, i - 30);
        return "first difference at " + i + " of " + good.length + "→" + m.length + ": good «"
                + new String(good, from, Math.min(good.length, i + 30) - from, java.nio.charset.StandardCharsets.UTF_8)
                + "» mutated «"
                + new String(m, from, Math.min(m.length, i + 30) - from, java.nio.charset.StandardCharsets.UTF_8) + "»";
    }
}

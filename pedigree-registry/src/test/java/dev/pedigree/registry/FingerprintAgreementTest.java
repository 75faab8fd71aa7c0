package dev.pedigree.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintComparator;
import dev.pedigree.fingerprint.FingerprintOptions;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.SimModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Fingerprint vs full-reference verdicts on the simulated suite (the agreement table is printed). */
class FingerprintAgreementTest {

    @Test
    void fingerprintVerdictsAgreeWithFullReference() throws Exception {
        SimSuite suite = new SimSuite();
        int agree = 0;
        int total = 0;
        List<String> disagreements = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "%-28s %-12s %-16s %-9s %-16s %-9s %s%n",
                "suspect",
                "reference",
                "full verdict",
                "full lp",
                "fingerprint",
                "fp lp",
                "agree"));
        for (int units : new int[] {0, 32}) {
            for (SimModel base : suite.bases()) {
                Fingerprint fp =
                        Fingerprint.of(base.toView(), FingerprintOptions.DEFAULT.withUnits(units == 0 ? 0 : units));
                for (SimSuite.Case c : suite.cases()) {
                    long t0 = System.nanoTime();
                    ComparisonResult full =
                            LineageComparator.compare(c.suspect().toView(), base.toView(), CompareOptions.DEFAULT);
                    long t1 = System.nanoTime();
                    ComparisonResult viaFp =
                            FingerprintComparator.compare(c.suspect().toView(), fp, CompareOptions.DEFAULT);
                    long t2 = System.nanoTime();
                    boolean same = full.verdict() == viaFp.verdict();
                    total++;
                    if (same) {
                        agree++;
                    } else {
                        disagreements.add(c.label() + " vs " + base.name() + " units=" + fp.units());
                    }
                    table.append(String.format(
                            Locale.ROOT,
                            "%-28s %-12s %-16s %-9s %-16s %-9s %s  (units %d; %d ms / %d ms)%n",
                            c.label(),
                            base.name(),
                            full.verdict(),
                            lp(full.log10p()),
                            viaFp.verdict(),
                            lp(viaFp.log10p()),
                            same ? "yes" : "NO",
                            fp.units(),
                            (t1 - t0) / 1_000_000,
                            (t2 - t1) / 1_000_000));
                    if (c.ancestors().contains(base.name())) {
                        assertThat(viaFp.verdict())
                                .as(c.label() + " vs its ancestor " + base.name())
                                .isEqualTo(Verdict.SHARED_LINEAGE);
                    }
                    if (c.ancestors().isEmpty()) {
                        assertThat(viaFp.verdict())
                                .as(c.label() + " vs " + base.name())
                                .isNotEqualTo(Verdict.SHARED_LINEAGE);
                    }
                }
            }
        }
        System.out.print(table);
        System.out.printf(
                Locale.ROOT,
                "fingerprint vs full reference: %d/%d verdicts agree; disagreements: %s%n",
                agree,
                total,
                disagreements);
    }

    private static String lp(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}

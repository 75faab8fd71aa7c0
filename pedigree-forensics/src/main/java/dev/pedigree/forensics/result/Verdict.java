package dev.pedigree.forensics.result;

/** Weight-lineage verdict; the JSON contract uses {@link #name()}. */
public enum Verdict {
    /** Significant evidence, after multiple-testing correction, that the weights share an initialisation. */
    SHARED_LINEAGE,
    /** Tests with the power to detect shared lineage ran and found none. */
    INDEPENDENT,
    /** Neither: no applicable test, too little power, or evidence below the threshold. */
    INCONCLUSIVE
}

package dev.pedigree.model;

/** Which parameter of a layer a tensor holds. */
public enum Part {
    WEIGHT,
    BIAS,
    /** Quantisation scale stored beside a weight (not a model parameter). */
    QUANT_SCALE,
    /** Quantisation zero point stored beside a weight (not a model parameter). */
    QUANT_ZERO_POINT,
    /** Integer buffers such as position_ids (not a model parameter). */
    BUFFER;

    /** Whether values of this part count as model parameters. */
    public boolean isParameter() {
        return this == WEIGHT || this == BIAS;
    }
}

/**
 * Decoding kernels: stored weights (BF16, F16, FP8, int8 with scale and zero point, ggml Q8_0/Q4_K/Q6_K) to
 * float32, in a Vector API twin and a plain scalar twin that produce the same bits. {@link
 * dev.pedigree.kernels.decode.DecodeKernels} chooses the twin once at start-up.
 */
package dev.pedigree.kernels.decode;

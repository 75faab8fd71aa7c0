#!/usr/bin/env python3
"""Straightforward NumPy baseline for `pedigree compare`: per-tensor Pearson correlation of every
same-named BF16 tensor of two safetensors files (the "aligned" comparison, no permutation search).

Usage: aligned_correlation.py A.safetensors B.safetensors
Prints one summary line and the wall time; per-tensor values with -v.
"""
import json
import struct
import sys
import time

import numpy as np


def open_safetensors(path):
    """Memory-maps the file and returns (uint8 map, {name: (dtype, shape, start, end)}) with absolute offsets."""
    mm = np.memmap(path, dtype=np.uint8, mode="r")
    (n,) = struct.unpack("<Q", bytes(mm[:8]))
    header = json.loads(bytes(mm[8 : 8 + n]).decode("utf-8"))
    header.pop("__metadata__", None)
    base = 8 + n
    tensors = {k: (v["dtype"], v["shape"], base + v["data_offsets"][0], base + v["data_offsets"][1]) for k, v in header.items()}
    return mm, tensors


def bf16_to_f32(mm, start, end):
    u16 = mm[start:end].view(np.uint16)
    return (u16.astype(np.uint32) << 16).view(np.float32)


def pearson(x, y):
    x = x - x.mean(dtype=np.float64)
    y = y - y.mean(dtype=np.float64)
    sxy = float(np.dot(x, y))
    sxx = float(np.dot(x, x))
    syy = float(np.dot(y, y))
    return sxy / np.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


def main(argv):
    verbose = "-v" in argv
    paths = [a for a in argv if a != "-v"]
    t0 = time.perf_counter()
    ma, ta = open_safetensors(paths[0])
    mb, tb = open_safetensors(paths[1])
    rs = []
    elements = 0
    for name in sorted(set(ta) & set(tb)):
        da, sa, a0, a1 = ta[name]
        db, sb, b0, b1 = tb[name]
        if da != "BF16" or db != "BF16" or sa != sb:
            continue
        r = pearson(bf16_to_f32(ma, a0, a1), bf16_to_f32(mb, b0, b1))
        rs.append(r)
        elements += (a1 - a0) // 2
        if verbose:
            print(f"{name}\t{r:.6f}")
    secs = time.perf_counter() - t0
    rs = np.array(rs)
    print(
        f"numpy aligned correlation: {len(rs)} tensors, {elements} values per model, "
        f"mean r {np.nanmean(rs):.6f}, min r {np.nanmin(rs):.6f}, {secs:.2f} s, "
        f"{2 * 2 * elements / 1e9 / secs:.2f} GB/s of BF16 read"
    )


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/env python3
"""Straightforward NumPy baseline for `pedigree compare`: the fixed-index aligned-correlation test of every
same-shape BF16 weight matrix of two safetensors files, in the grouped form Pedigree runs at this size
(GroupedCorrelation: row correlations within fixed strided groups of units inside blocks of 1,024 units,
Hoeffding permutation moments per group, within-group diagonal wins), and a centred Pearson correlation of every
other same-shape tensor (embeddings, head, norms).

Units are rows, except for the output projections (o_proj, down_proj), whose units are columns, as in Pedigree.
With --pearson every tensor gets only one centred Pearson correlation (a cheaper statistic than Pedigree's).

Usage: aligned_correlation.py [--pearson] [-v] A.safetensors B.safetensors
Prints one summary line and the wall time; per-tensor values with -v.
"""
import json
import math
import struct
import sys
import time

import numpy as np

BLOCK = 1024
GROUP = 8
UNIT_ROLES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
COLUMN_UNITS = ("o_proj", "down_proj")


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


def normalised_rows(m):
    m = m - m.mean(axis=1, keepdims=True)
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1
    return m / n


def blocks(h):
    """Block starts as in GroupedCorrelation: a last block of fewer than 2*GROUP units joins the one before."""
    nblocks = max(1, h // BLOCK)
    if nblocks * BLOCK < h and h - nblocks * BLOCK >= 2 * GROUP:
        nblocks += 1
    starts = [b * BLOCK for b in range(nblocks)] + [h]
    return list(zip(starts[:-1], starts[1:]))


def grouped_test(a, b):
    """a, b: [units x features] float32. Returns (z, wins M, groups k, effect)."""
    h = a.shape[0]
    s_diag = s_mean = s_var = s_total = 0.0
    pairs = 0
    wins = 0
    groups = 0
    for b0, b1 in blocks(h):
        nb = b1 - b0
        kb = max(1, nb // GROUP)
        an = normalised_rows(a[b0:b1])
        bn = normalised_rows(b[b0:b1])
        # group t = units t, t+kb, t+2kb, ...: sizes differ by at most one; handle each size as one batch
        for size in sorted({(nb - t + kb - 1) // kb for t in range(kb)}):
            ts = np.array([t for t in range(kb) if (nb - t + kb - 1) // kb == size])
            idx = ts[:, None] + kb * np.arange(size)[None, :]  # [groups x size]
            ga = an[idx]  # [groups x size x w]
            gb = bn[idx]
            c = np.matmul(ga, gb.transpose(0, 2, 1)).astype(np.float64)  # [groups x size x size]
            g = size
            total = c.sum(axis=(1, 2))
            sum_sq = (c * c).sum(axis=(1, 2))
            row_mean_sq = ((c.sum(axis=2) / g) ** 2).sum(axis=1)
            col_mean_sq = ((c.sum(axis=1) / g) ** 2).sum(axis=1)
            grand = total / (g * g)
            var = np.maximum(0, sum_sq - g * row_mean_sq - g * col_mean_sq + g * g * grand * grand) / max(1, g - 1)
            diag = np.trace(c, axis1=1, axis2=2)
            d = np.diagonal(c, axis1=1, axis2=2)
            off = c.copy()
            ar = np.arange(g)
            off[:, ar, ar] = -np.inf
            wins += int((d > off.max(axis=2)).sum()) if g > 1 else len(ts)
            s_diag += float(diag.sum())
            s_mean += float((total / g).sum())
            s_var += float(var.sum())
            s_total += float(total.sum())
            pairs += len(ts) * g * g
            groups += len(ts)
    z = (s_diag - s_mean) / math.sqrt(s_var) if s_var > 0 else 0.0
    return z, wins, groups, s_diag / h - s_total / pairs


def main(argv):
    verbose = "-v" in argv
    simple = "--pearson" in argv
    paths = [a for a in argv if a not in ("-v", "--pearson")]
    t0 = time.perf_counter()
    ma, ta = open_safetensors(paths[0])
    mb, tb = open_safetensors(paths[1])
    grouped = 0
    rs = []
    zs = []
    log_wins = []
    elements = 0
    for name in sorted(set(ta) & set(tb)):
        da, sa, a0, a1 = ta[name]
        db, sb, b0, b1 = tb[name]
        if da != "BF16" or db != "BF16" or sa != sb:
            continue
        x = bf16_to_f32(ma, a0, a1)
        y = bf16_to_f32(mb, b0, b1)
        elements += (a1 - a0) // 2
        if not simple and len(sa) == 2 and any(r in name for r in UNIT_ROLES):
            xa = x.reshape(sa)
            ya = y.reshape(sa)
            if any(r in name for r in COLUMN_UNITS):
                xa = xa.T
                ya = ya.T
            z, m, k, effect = grouped_test(xa, ya)
            zs.append(z)
            log_wins.append(m * math.log10(k) - math.lgamma(m + 1) / math.log(10))
            grouped += 1
            if verbose:
                print(f"{name}\tz={z:.3f}\twins={m}/{xa.shape[0]}\teffect={effect:.4f}")
        else:
            r = pearson(x, y)
            rs.append(r)
            if verbose:
                print(f"{name}\tr={r:.6f}")
    secs = time.perf_counter() - t0
    what = "per-tensor Pearson" if simple else f"grouped aligned correlation on {grouped} matrices (min z {min(zs):.1f}, min log10 wins bound {min(log_wins):.0f}) + Pearson on {len(rs)} tensors"
    print(f"numpy {what}: {elements} values per model, {secs:.2f} s, {2 * 2 * elements / 1e9 / secs:.2f} GB/s of BF16 read")


if __name__ == "__main__":
    main(sys.argv[1:])

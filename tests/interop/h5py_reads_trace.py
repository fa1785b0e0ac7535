#!/usr/bin/env python3
"""Interop: a trace written by committee-audit is read with plain h5py (no plugins)
and the contract datasets of DESIGN.md §3 have the documented names, types, shapes
and values. Run by ctest as: python3 h5py_reads_trace.py WORKDIR (CA_BINARY set)."""
import json
import os
import subprocess
import sys

import h5py
import numpy as np

work = sys.argv[1]
os.makedirs(work, exist_ok=True)
trace = os.path.join(work, "synthetic.h5")
truth_path = os.path.join(work, "truth.json")
subprocess.run([os.environ["CA_BINARY"], "synth", "--shape", "deepseek", "--seed", "3",
                "--samples-per-domain", "4", "--out", trace, "--truth", truth_path], check=True)
truth = json.load(open(truth_path))

with h5py.File(trace, "r") as f:
    assert f.attrs["format"] == "committee-audit-trace", f.attrs["format"]
    assert int(f.attrs["format_version"]) == 1
    m = f["model"].attrs
    E, k = int(m["num_routed_experts"]), int(m["top_k"])
    layers = list(m["moe_layers"])
    assert (E, k, int(m["num_shared_experts"])) == (64, 6, 2)
    assert layers == list(range(1, 27)), layers
    assert m["architecture"] == "deepseek_v2"
    L = len(layers)

    off = f["samples/token_offset"][:]
    S = 9 * 4
    assert off.dtype == np.int64 and off.shape == (S + 1,)
    assert off[0] == 0 and np.all(np.diff(off) > 0)
    T = int(off[-1])
    domains = [d.decode() if isinstance(d, bytes) else d for d in f["samples/domain"][:]]
    assert domains[:9] == truth["domains"], domains[:9]
    assert len(f["samples/id"]) == S and len(f["samples/subject"]) == S

    ids = f["tokens/ids"]
    assert ids.dtype == np.int32 and ids.shape == (T,)
    ex = f["routing/topk_experts"][:]
    w = f["routing/topk_weights"][:]
    assert ex.dtype in (np.int16, np.int32) and ex.shape == (T, L, k), ex.shape
    assert w.dtype == np.float32 and w.shape == (T, L, k)
    assert ex.min() >= 0 and ex.max() < E
    # Sorted by gate weight, descending, within every (position, layer).
    assert np.all(np.diff(w, axis=2) <= 0)
    # Each position's experts are distinct.
    assert all(len(set(row)) == k for row in ex.reshape(-1, k))
    # The last-token full softmax sums to 1, and its top-k equals the recorded top-k.
    lp = f["samples/last_probs"][:]
    assert lp.shape == (S, L, E)
    assert np.allclose(lp.sum(axis=2), 1.0, atol=1e-5)
    last_rows = off[1:] - 1
    top = np.argsort(-lp, axis=2, kind="stable")[:, :, :k]
    assert np.array_equal(top, ex[last_rows].astype(top.dtype)), "last-token top-k mismatch"
    assert np.allclose(np.take_along_axis(lp, top, axis=2), w[last_rows])
    # The per-sample last-token top-k: [S, L, k] copies of each sample's last routing row,
    # in the same types as /routing/topk_*.
    lte = f["samples/last_topk_experts"][:]
    ltw = f["samples/last_topk_weights"][:]
    assert lte.dtype == ex.dtype and lte.shape == (S, L, k), (lte.dtype, lte.shape)
    assert ltw.dtype == np.float32 and ltw.shape == (S, L, k), (ltw.dtype, ltw.shape)
    assert np.array_equal(lte, ex[last_rows]), "last_topk_experts != last /routing/topk_experts rows"
    assert np.array_equal(ltw, w[last_rows]), "last_topk_weights != last /routing/topk_weights rows"
    # The planted committee members are in the last-token top-k of most samples.
    for li, members in enumerate(truth["planted_committee"]):
        for e in members:
            share = np.mean([(e in ex[r, li]) for r in last_rows])
            assert share > 0.7, (li, e, share)

print("h5py interop: 1 passed, 0 failed")

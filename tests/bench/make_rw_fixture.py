#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a DeepSeek-V2-Lite-shaped RW router file with torch.save, for benchmarks.

The authors' router_lens.py saves, per prompt, {layer: {'topk_idx': LongTensor[6],
'topk_weight': FloatTensor[6]} for layer in 1..26, 'subject', 'id', 'domain', 'cognitive',
'difficulty'}, each tensor the last row of a gate output moved to the CPU (so every tensor has a
storage of its own). This script builds the same structure from seeded random router
softmaxes, with torch.topk(sorted=False) as DeepSeek's gate does.

Needs Debian's python3-torch (/usr/bin/python3). Not used by any test at run time.

    /usr/bin/python3 tests/bench/make_rw_fixture.py OUT.pth [--records 14042] [--seed 1]
"""
import argparse

import torch

SUBJECTS = ["abstract_algebra", "anatomy", "astronomy", "business_ethics", "college_biology",
            "econometrics", "high_school_physics", "international_law", "philosophy"]
DOMAINS = ["Math", "Biology", "Physics", "Business", "Biology", "Economics", "Physics", "Law",
           "Humanities"]


def build_records(num_records, seed, layers=range(1, 27), experts=64, top_k=6):
    gen = torch.Generator().manual_seed(seed)
    nl = len(layers)
    logits = torch.randn(num_records * nl, experts, generator=gen)
    scores = torch.softmax(logits, dim=-1)
    weights, idx = torch.topk(scores, k=top_k, dim=-1, sorted=False)
    records = []
    for r in range(num_records):
        rec = {}
        for j, layer in enumerate(layers):
            row = r * nl + j
            # clone(): one storage per tensor, like .cpu() of a CUDA row in router_lens.py.
            rec[layer] = {"topk_idx": idx[row].clone(), "topk_weight": weights[row].clone()}
        s = r % len(SUBJECTS)
        rec["subject"] = SUBJECTS[s]
        rec["id"] = r
        rec["domain"] = DOMAINS[s]
        rec["cognitive"] = "recall" if r % 2 else "reasoning"
        rec["difficulty"] = r % 3
        records.append(rec)
    return records


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--records", type=int, default=14042)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.save(build_records(args.records, args.seed), args.out)


if __name__ == "__main__":
    main()

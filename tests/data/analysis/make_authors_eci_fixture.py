#!/usr/bin/python3
# Regenerates authors_eci_fixture.json: the authors' released score
# (get_frequency_and_weight_data.py, paper-spec c3) computed with real torch float32
# CPU operations on a deterministic synthetic input, for the C++ test
# tests/unit/analysis/eci_test.cpp. Written for this project (not the authors' code).
#
#   /usr/bin/python3 make_authors_eci_fixture.py > authors_eci_fixture.json
#   ATEN_CPU_CAPABILITY=avx512 /usr/bin/python3 make_authors_eci_fixture.py --lanes 16 > ...
#
# Needs Debian's python3-torch (1.13). torch runs single-threaded so that its sum
# order is the documented single-thread cascade.
import json
import sys

import torch

torch.set_num_threads(1)
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


SEED = 20260106
DOMAIN_SIZES = [1, 2, 3, 7, 8, 9, 33, 100, 700, 9000]
L, E, K = 2, 16, 4


def make_records():
    rng = SplitMix64(SEED)
    labels = [d for d, n in enumerate(DOMAIN_SIZES) for _ in range(n)]
    for i in range(len(labels) - 1, 0, -1):  # Fisher-Yates with plain modulo
        j = rng.next() % (i + 1)
        labels[i], labels[j] = labels[j], labels[i]
    records = []
    for d in labels:
        rec = {"domain": d}
        for layer in range(L):
            experts = [0] if layer == 0 else []  # expert 0 always routed at layer 0
            while len(experts) < K:
                e = rng.next() % E
                if e not in experts:
                    experts.append(e)
            weights = sorted((((rng.next() >> 40) + 1) * 2.0 ** -24 for _ in range(K)), reverse=True)
            rec[layer] = (experts, weights)
        records.append(rec)
    return records


def authors_scores(records):
    out = {}
    for d in range(len(DOMAIN_SIZES)):
        rows = [r for r in records if r["domain"] == d]
        n = len(rows)
        for layer in range(L):
            counts = torch.zeros(E)
            feats = []
            for r in rows:
                idx = torch.tensor(r[layer][0])
                counts[idx] += 1
                w = torch.zeros(E)
                w[idx] = torch.tensor(r[layer][1], dtype=torch.float32)
                feats.append(w)
            counts /= n
            stacked = torch.stack(feats)
            u = torch.zeros(E)
            for e in range(E):
                x = stacked[:, e]
                u[e] = ((x - x.min()) / (x.max() - x.min() + 1e-6)).mean()
            score = u * counts
            out[f"{d},{layer}"] = {
                "score_bits": [int(v) for v in score.view(torch.int32).tolist()],
                "frequency_bits": [int(v) for v in counts.view(torch.int32).tolist()],
            }
    return out


def main():
    lanes = 16 if "--lanes" in sys.argv and sys.argv[sys.argv.index("--lanes") + 1] == "16" else 8
    records = make_records()
    json.dump({"torch_version": torch.__version__, "lanes": lanes, "seed": SEED,
               "domain_sizes": DOMAIN_SIZES, "layers": L, "experts": E, "top_k": K,
               "cells": authors_scores(records)}, sys.stdout, indent=0)
    sys.stdout.write("\n")


main()

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Regenerates the RW router-file fixtures in this folder with real torch.save.

Run offline with Debian's python3-torch (/usr/bin/python3, torch 1.13); the tests only read
the committed outputs and never run Python:

    cd tests/data/rwimport && /usr/bin/python3 make_fixtures.py

Writes, next to this script:
  single_record.pth      one record (torch.save emits APPEND, not APPENDS, for it)
  multi_record.pth       five records; weight ties; ids and labels of several Python types
  bf16_weights.pth       bfloat16 weights
  half_weights.pth       float16 weights and int32 indices
  views.pth              tensors that are views: row [-1] of a [5, k] tensor (storage offset),
                         a strided column, and two layers sharing one storage
  experts_128.pth        layer keys 2, 4, 7 and expert ids up to 100 (E inferred as 128)
  torch2_style.pth       hand-assembled like torch 2.x writes: 'archive/' folder, byteorder
                         record, 7-argument _rebuild_tensor_v2 (metadata dict)
  RW/                    router_weight_0.pth, _500, _1000, _last (one id repeated) and a
                         router_weight_info.pth that must be ignored beside the chunks
  RW_info/router_weight_info.pth   the merged file alone
  errors/truncated.pth, errors/not_a_zip.pth, errors/forbidden_global.pth
  expected.json          every record of every valid file, as plain JSON: labels as the
                         importer must write them (str(), None -> ""), raw idx and weight
                         lists in file order (weights as exact float values)
"""
import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = [1, 2, 3]
K = 4


def label(v):
    return "" if v is None else str(v)


def record(layers, rows, subject, rid, domain, cognitive, difficulty, idx_dtype=torch.int64,
           w_dtype=torch.float32):
    """rows: {layer: (idx list, weight list)} in the order the gate produced them."""
    rec = {}
    for layer in layers:
        idx, w = rows[layer]
        rec[layer] = {"topk_idx": torch.tensor(idx, dtype=idx_dtype),
                      "topk_weight": torch.tensor(w, dtype=torch.float32).to(w_dtype)}
    rec["subject"] = subject
    rec["id"] = rid
    rec["domain"] = domain
    rec["cognitive"] = cognitive
    rec["difficulty"] = difficulty
    return rec


def expected_of(records):
    out = []
    for rec in records:
        layers = {}
        for key, value in rec.items():
            if isinstance(key, int):
                layers[str(key)] = {"idx": [int(x) for x in value["topk_idx"].tolist()],
                                    "weight": [float(x) for x in value["topk_weight"].float().tolist()]}
        out.append({"id": label(rec.get("id")), "subject": label(rec.get("subject")),
                    "domain": label(rec.get("domain")), "cognitive": label(rec.get("cognitive")),
                    "difficulty": label(rec.get("difficulty")), "layers": layers})
    return out


def rows_from(gen, layers, experts=16, k=K):
    """Random gate output for each layer, top-k unsorted as DeepSeek's gate returns it."""
    rows = {}
    for layer in layers:
        scores = torch.softmax(torch.randn(experts, generator=gen), dim=-1)
        w, idx = torch.topk(scores, k=k, sorted=False)
        rows[layer] = (idx.tolist(), w.tolist())
    return rows


def make_torch2_style(path, records):
    """A torch 2.x-like archive written by hand (torch 1.13 cannot emit this layout)."""
    storages = []

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, torch.storage.TypedStorage):
                key = str(len(storages))
                storages.append(obj)
                return ("storage", getattr(torch, obj.pickle_storage_type()), key, "cpu", obj.size())
            return None

        def reducer_override(self, obj):
            if isinstance(obj, torch.Tensor):
                return (torch._utils._rebuild_tensor_v2,
                        (obj.storage(), obj.storage_offset(), tuple(obj.size()), obj.stride(),
                         False, OrderedDict(), {}))
            return NotImplemented

    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(records)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", "little")
        for i, s in enumerate(storages):
            untyped = getattr(s, "_untyped_storage", None) or s._storage   # torch 2.x / 1.13
            z.writestr(f"archive/data/{i}", bytes(untyped.tolist()))
        z.writestr("archive/version", "3\n")
        z.writestr("archive/.data/serialization_id", "1234567890")


def make_forbidden_global(path):
    """A torch-shaped archive whose pickle names os.system (never called here)."""
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo this must never run",))

    payload = pickle.dumps([Evil()], protocol=2)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("forbidden_global/data.pkl", payload)
        z.writestr("forbidden_global/version", "3\n")


def main():
    gen = torch.Generator().manual_seed(20260111)
    expected = {}

    def save(name, records):
        torch.save(records, os.path.join(HERE, name))
        expected[name] = expected_of(records)

    # One record: the list pickles with APPEND.
    save("single_record.pth", [record(LAYERS, rows_from(gen, LAYERS), "abstract_algebra", 0, "Math",
                                      "recall", 1)])

    # Five records; record 1 has exact weight ties listed higher id first.
    multi = []
    labels = [(10, "anatomy", "Biology", None, 0.35), ("q-11", "astronomy", "Physics", "reasoning", 2),
              (12, "philosophy", "Humanities", "recall", "hard"), (13, "econometrics", "Economics", True, None),
              (14, "anatomy", "Biology", "recall", 1e-05)]
    for i, (rid, subj, dom, cog, diff) in enumerate(labels):
        rows = rows_from(gen, LAYERS)
        if i == 1:
            rows[2] = ([9, 3, 12, 5], [0.25, 0.25, 0.125, 0.25])
        multi.append(record(LAYERS, rows, subj, rid, dom, cog, diff))
    save("multi_record.pth", multi)

    save("bf16_weights.pth", [record(LAYERS, rows_from(gen, LAYERS), "anatomy", 20 + i, "Biology", "recall", i,
                                     w_dtype=torch.bfloat16) for i in range(3)])
    save("half_weights.pth", [record(LAYERS, rows_from(gen, LAYERS), "astronomy", 30 + i, "Physics", "recall", i,
                                     idx_dtype=torch.int32, w_dtype=torch.float16) for i in range(2)])

    # Views: weights are the last row of a [5, k] tensor (storage offset 16); indices of
    # layer 1 are a strided column of a [k, 3] tensor; layers 2 and 3 share one storage.
    views = []
    for r in range(2):
        rec = {}
        shared_idx = torch.stack([torch.randperm(16, generator=gen)[:K] for _ in range(2)])  # [2, k]
        for li, layer in enumerate(LAYERS):
            w_rows = torch.softmax(torch.randn(5, 16, generator=gen), dim=-1)[:, :K].contiguous()
            if layer == 1:
                idx = torch.randperm(16, generator=gen)[:K * 3].reshape(K, 3)[:, 1]
            else:
                idx = shared_idx[li - 1]
            rec[layer] = {"topk_idx": idx, "topk_weight": w_rows[-1]}
        rec.update({"subject": "virology", "id": 40 + r, "domain": "Medicine", "cognitive": "recall",
                    "difficulty": 0})
        views.append(rec)
    save("views.pth", views)

    layers_247 = [2, 4, 7]
    e128 = []
    for r in range(2):
        rows = rows_from(gen, layers_247, experts=101)
        rows[4] = ([100, 0, 57, 3], rows[4][1])
        e128.append(record(layers_247, rows, "college_physics", 50 + r, "Physics", None, None))
    save("experts_128.pth", e128)

    t2 = [record(LAYERS, rows_from(gen, LAYERS), "world_religions", 60 + i, "Humanities", "recall", i)
          for i in range(2)]
    make_torch2_style(os.path.join(HERE, "torch2_style.pth"), t2)
    expected["torch2_style.pth"] = expected_of(t2)

    # A whole RW folder as router_lens.py leaves it (file names by prompt counter).
    os.makedirs(os.path.join(HERE, "RW"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "RW_info"), exist_ok=True)
    chunks = {"router_weight_0.pth": [0], "router_weight_500.pth": [1, 2],
              "router_weight_1000.pth": [3, 4], "router_weight_last.pth": [5, 2]}
    all_records = []
    for name, ids in chunks.items():
        recs = [record(LAYERS, rows_from(gen, LAYERS), "anatomy" if i % 2 else "astronomy", i,
                       "Biology" if i % 2 else "Physics", "recall", i % 3) for i in ids]
        torch.save(recs, os.path.join(HERE, "RW", name))
        expected["RW/" + name] = expected_of(recs)
        all_records += recs
    torch.save(all_records[:1], os.path.join(HERE, "RW", "router_weight_info.pth"))
    torch.save(all_records, os.path.join(HERE, "RW_info", "router_weight_info.pth"))
    expected["RW_info/router_weight_info.pth"] = expected_of(all_records)

    os.makedirs(os.path.join(HERE, "errors"), exist_ok=True)
    with open(os.path.join(HERE, "multi_record.pth"), "rb") as f:
        whole = f.read()
    with open(os.path.join(HERE, "errors", "truncated.pth"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    with open(os.path.join(HERE, "errors", "not_a_zip.pth"), "w") as f:
        f.write("This is a text file, not a torch.save archive.\n")
    make_forbidden_global(os.path.join(HERE, "errors", "forbidden_global.pth"))

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()

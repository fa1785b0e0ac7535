#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a DeepSeek-V2-Lite-shaped RW router file with torch.save, for benchmarks.

The authors' router_lens.py saves, per prompt, {layer: {'topk_idx': LongTensor[6],
'topk_weight': FloatTensor[6]} for layer in 1..26, 'subject', 'id', 'domain', 'cognitive',
'difficulty'}, each tensor the last row of a gate output moved to the CPU (so every tensor has a
storage of its own). This script builds the same structure from seeded random router
softmaxes, with torch.topk(sorted=False) as DeepSeek's gate does.

With Debian's python3-torch (/usr/bin/python3) it calls torch.save. Without torch (or with
--without-torch) it writes the same bytes layout itself, as torch 1.13's torch.save does:
the same pickle (protocol 2, the same GLOBALs, persistent ids and memo opcodes, via Python's
own pickler) in the same zip layout (stored entries in sorted key order, local headers
without sizes followed by data descriptors, "FB" extra fields padding every record to 64
bytes, zip64 end records). Only the random numbers differ (NumPy's, not torch's).
Not used by any test at run time.

    /usr/bin/python3 tests/bench/make_rw_fixture.py OUT.pth [--records 14042] [--seed 1]
"""
import argparse
import os
import struct
import sys
import zlib

SUBJECTS = ["abstract_algebra", "anatomy", "astronomy", "business_ethics", "college_biology",
            "econometrics", "high_school_physics", "international_law", "philosophy"]
DOMAINS = ["Math", "Biology", "Physics", "Business", "Biology", "Economics", "Physics", "Law",
           "Humanities"]
LAYERS = range(1, 27)
EXPERTS = 64
TOP_K = 6


def labels(r):
    s = r % len(SUBJECTS)
    return {"subject": SUBJECTS[s], "id": r, "domain": DOMAINS[s],
            "cognitive": "recall" if r % 2 else "reasoning", "difficulty": r % 3}


def build_records(num_records, seed):
    import torch
    gen = torch.Generator().manual_seed(seed)
    nl = len(LAYERS)
    logits = torch.randn(num_records * nl, EXPERTS, generator=gen)
    scores = torch.softmax(logits, dim=-1)
    weights, idx = torch.topk(scores, k=TOP_K, dim=-1, sorted=False)
    records = []
    for r in range(num_records):
        rec = {}
        for j, layer in enumerate(LAYERS):
            row = r * nl + j
            # clone(): one storage per tensor, like .cpu() of a CUDA row in router_lens.py.
            rec[layer] = {"topk_idx": idx[row].clone(), "topk_weight": weights[row].clone()}
        rec.update(labels(r))
        records.append(rec)
    return records


# ---- without torch: torch 1.13's torch.save layout, written here ------------------------------

def fake_torch_modules():
    """Module objects named like torch's, so that Python's pickler writes the same GLOBALs."""
    import collections
    import types
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):  # never called: only its name is pickled
        raise RuntimeError("placeholder")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    for name in ("LongStorage", "FloatStorage"):
        cls = type(name, (), {"__module__": "torch"})
        setattr(torch, name, cls)
    torch._utils = utils
    sys.modules.setdefault("torch", torch)
    sys.modules.setdefault("torch._utils", utils)
    return torch, utils, collections.OrderedDict


class Storage:
    def __init__(self, storage_type, key, data, numel):
        self.storage_type, self.key, self.data, self.numel = storage_type, key, data, numel


class Tensor:
    """Reduces exactly like a contiguous 1-D torch.Tensor in torch 1.13."""

    def __init__(self, rebuild, ordered_dict, storage):
        self.rebuild, self.ordered_dict, self.storage = rebuild, ordered_dict, storage

    def __reduce_ex__(self, protocol):
        # Fresh size and stride tuples, as torch builds them per call (a shared tuple would
        # be pickled once and then referenced from the memo).
        return (self.rebuild, (self.storage, 0, tuple([self.storage.numel]), tuple([1]), False,
                               self.ordered_dict()))


def emulated_pickle(num_records, seed):
    import io
    import pickle
    import numpy as np
    torch, utils, ordered_dict = fake_torch_modules()
    rng = np.random.default_rng(seed)
    nl = len(LAYERS)
    logits = rng.standard_normal((num_records * nl, EXPERTS), dtype=np.float32)
    scores = np.exp(logits - logits.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    top = np.argpartition(-scores, TOP_K - 1, axis=1)[:, :TOP_K]   # unsorted, like sorted=False
    idx = top.astype(np.int64)
    weights = np.take_along_axis(scores, top, axis=1).astype(np.float32)
    storages = []

    def tensor(storage_type, row):
        s = Storage(storage_type, str(len(storages)), row.tobytes(), row.size)
        storages.append(s)
        return Tensor(utils._rebuild_tensor_v2, ordered_dict, s)

    records = []
    for r in range(num_records):
        rec = {}
        for j, layer in enumerate(LAYERS):
            row = r * nl + j
            rec[layer] = {"topk_idx": tensor(torch.LongStorage, idx[row]),
                          "topk_weight": tensor(torch.FloatStorage, weights[row])}
        rec.update(labels(r))
        records.append(rec)

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                return ("storage", obj.storage_type, obj.key, "cpu", obj.numel)
            return None

    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(records)
    return buf.getvalue(), {s.key: s.data for s in storages}


class TorchZipWriter:
    """The zip layout of torch 1.13's PyTorchStreamWriter (miniz)."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.central = []
        self.offset = 0

    def add(self, name, data):
        name_b = name.encode()
        header = 30 + len(name_b) + 4   # the "FB" extra field's own 4 bytes
        pad = (64 - (self.offset + header) % 64) % 64
        crc = zlib.crc32(data) & 0xFFFFFFFF
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 0, 0x0808, 0, 0, 0, 0, 0, 0,
                            len(name_b), 4 + pad)
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        descriptor = struct.pack("<4sIII", b"PK\x07\x08", crc, len(data), len(data))
        self.f.write(local + name_b + extra + data + descriptor)
        self.central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0, 0, 0x0808, 0, 0, 0,
                                        crc, len(data), len(data), len(name_b), 0, 0, 0, 0, 0,
                                        self.offset) + name_b)
        self.offset += len(local) + len(name_b) + len(extra) + len(data) + len(descriptor)

    def close(self):
        cd = b"".join(self.central)
        n = len(self.central)
        cd_offset = self.offset
        self.f.write(cd)
        zip64_offset = cd_offset + len(cd)
        self.f.write(struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 798, 45, 0, 0, n, n, len(cd), cd_offset))
        self.f.write(struct.pack("<4sIQI", b"PK\x06\x07", 0, zip64_offset, 1))
        self.f.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, min(n, 0xFFFF), min(n, 0xFFFF),
                                 min(len(cd), 0xFFFFFFFF), min(cd_offset, 0xFFFFFFFF), 0))
        self.f.close()


def save_without_torch(num_records, seed, out):
    pickle_bytes, storages = emulated_pickle(num_records, seed)
    name = os.path.splitext(os.path.basename(out))[0]
    writer = TorchZipWriter(out)
    writer.add(name + "/data.pkl", pickle_bytes)
    for key in sorted(storages):     # torch.save writes storages in sorted key order
        writer.add(name + "/data/" + key, storages[key])
    writer.add(name + "/version", b"3\n")
    writer.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--records", type=int, default=14042)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--without-torch", action="store_true",
                    help="write torch.save's layout without importing torch")
    args = ap.parse_args()
    if not args.without_torch:
        try:
            import torch
        except ImportError:
            print("torch is not installed: writing torch.save's layout without it", file=sys.stderr)
            args.without_torch = True
    if args.without_torch:
        save_without_torch(args.records, args.seed, args.out)
    else:
        torch.save(build_records(args.records, args.seed), args.out)


if __name__ == "__main__":
    main()

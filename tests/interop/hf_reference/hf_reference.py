#!/usr/bin/env python3
"""Reference routing from Hugging Face transformers for the capture engine's fixtures.

    hf_reference.py INPUTS OUT

INPUTS is what `write_hf_inputs INPUTS` wrote: one tiny F32 checkpoint per family
(INPUTS/olmoe, INPUTS/qwen3_moe, INPUTS/deepseek_v2) and INPUTS/sequences.json. For each family
this loads the checkpoint with transformers (float32, eager attention, CPU), runs every sequence
as its own batch of one, and writes OUT/<model_type>.json with, per sequence, the router softmax
of every MoE layer at every position and the logits after the last token.

The router softmax is computed from the hidden state that enters each MoE block (captured with a
forward pre-hook) and the block's gate weight, in float32: softmax(x @ W_gate^T). In float32 that
is the router of all three families (DeepSeek computes it in float32 anyway), and it does not
depend on how a transformers version returns router logits. Everything before the MoE block
(embeddings, attention, RoPE, norms, earlier experts) is transformers' own forward pass.

Needs torch and transformers (a version whose model zoo includes the family; deepseek_v2 is
skipped with a message when it does not). Not run in CI: the fixtures it writes are committed
under tests/data/hf_reference/ and read by tests/unit/capture/hf_reference_test.cpp.
"""
import json
import os
import sys

import torch
import transformers
from transformers import AutoModelForCausalLM

FAMILIES = ["olmoe", "qwen3_moe", "deepseek_v2"]


def moe_blocks(model):
    """(layer index, mlp module) for every layer whose MLP has a router gate [E, hidden]."""
    blocks = []
    for i, layer in enumerate(model.model.layers):
        gate = getattr(layer.mlp, "gate", None)
        weight = getattr(gate, "weight", None)
        if weight is not None and weight.dim() == 2 and weight.shape[1] == model.config.hidden_size:
            blocks.append((i, layer.mlp))
    return blocks


def reference(model_dir, sequences):
    model = AutoModelForCausalLM.from_pretrained(
        model_dir, torch_dtype=torch.float32, attn_implementation="eager")
    model.eval()
    hidden = model.config.hidden_size
    blocks = moe_blocks(model)
    captured = {}
    for i, mlp in blocks:
        mlp.register_forward_pre_hook(
            lambda module, args, i=i: captured.__setitem__(i, args[0].detach()))
    out = []
    for ids in sequences:
        captured.clear()
        with torch.no_grad():
            result = model(torch.tensor([ids], dtype=torch.long), use_cache=False)
        probs = []
        for i, mlp in blocks:
            x = captured[i].reshape(-1, hidden).float()
            w = mlp.gate.weight.float()
            probs.append(torch.softmax(x @ w.T, dim=-1).tolist())
        out.append({
            "ids": ids,
            "moe_layers": [i for i, _ in blocks],
            "probs": probs,  # [moe layer][position][expert]
            "last_logits": result.logits[0, -1].float().tolist(),
        })
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    inputs, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(inputs, "sequences.json")) as f:
        sequences = json.load(f)
    for family in FAMILIES:
        try:
            results = reference(os.path.join(inputs, family), sequences)
        except (ValueError, KeyError, ImportError) as e:  # an unknown model_type
            print(f"{family}: skipped, transformers {transformers.__version__} cannot load it: {e}")
            continue
        path = os.path.join(out_dir, family + ".json")
        with open(path, "w") as f:
            json.dump({"model_type": family,
                       "transformers": transformers.__version__,
                       "torch": torch.__version__,
                       "attention": "eager",
                       "dtype": "float32",
                       "sequences": results}, f)
        print(f"{family}: wrote {path}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The forge's Hugging-Face checkpoint under transformers, against llama.cpp on the same GGUF.

    scripts/check-hf-transformers.py CHECKPOINT_DIR LOGITS.bin [--device cuda|cpu] [--max-rel 0.02] [--min-top1 0.9]

CHECKPOINT_DIR is what `edgebench forge --hf DIR NAME` wrote (config.json, model.safetensors);
LOGITS.bin is what native/shim/test/logits_dump.c wrote for the F16 GGUF of the same model and seed
(int32 n_tokens, int32 n_vocab, the token ids, then every position's logits as float32). The model
runs in float32 on the token ids; printed per position and overall: ||hf - llama.cpp|| / ||llama.cpp||
and whether the top token agrees. Exit 0 when the overall relative error is at most --max-rel and the
top token agrees at --min-top1 of the positions or more; 1 otherwise; 2 on bad input.
Needs torch and transformers (not installed by the project: a machine that has them, e.g. the GPU machine).
"""
import argparse
import json
import os
import struct
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint")
    ap.add_argument("logits")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--max-rel", type=float, default=0.02)
    ap.add_argument("--min-top1", type=float, default=0.9)
    a = ap.parse_args()
    if not os.path.isfile(os.path.join(a.checkpoint, "config.json")):
        print(f"check-hf-transformers: no config.json in {a.checkpoint}", file=sys.stderr)
        return 2
    try:
        import torch
        import transformers
        from transformers import AutoModelForCausalLM
    except ImportError as e:
        print(f"check-hf-transformers: {e} (torch and transformers are needed)", file=sys.stderr)
        return 2
    with open(a.logits, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        print(f"check-hf-transformers: {a.logits} is not a logits_dump file", file=sys.stderr)
        return 2
    n_tok, n_vocab = struct.unpack("<ii", raw[:8])
    want = 8 + 4 * n_tok + 4 * n_tok * n_vocab
    if n_tok < 1 or n_vocab < 1 or len(raw) != want:
        print(f"check-hf-transformers: {a.logits}: {len(raw)} bytes, {want} expected for {n_tok} x {n_vocab}", file=sys.stderr)
        return 2
    ids = torch.frombuffer(bytearray(raw[8:8 + 4 * n_tok]), dtype=torch.int32).to(torch.int64)
    ref = torch.frombuffer(bytearray(raw[8 + 4 * n_tok:]), dtype=torch.float32).reshape(n_tok, n_vocab).double()
    cfg = json.load(open(os.path.join(a.checkpoint, "config.json")))
    model = AutoModelForCausalLM.from_pretrained(a.checkpoint, dtype=torch.float32).to(a.device).eval()
    with torch.no_grad():
        out = model(ids[None].to(a.device)).logits[0].double().cpu()
    if out.shape[-1] < n_vocab:
        print(f"check-hf-transformers: transformers gave {out.shape[-1]} logits per position, llama.cpp {n_vocab}", file=sys.stderr)
        return 1
    out = out[:, :n_vocab]
    rel_pos = (out - ref).norm(dim=1) / ref.norm(dim=1)
    rel = float((out - ref).norm() / ref.norm())
    agree = (out.argmax(dim=1) == ref.argmax(dim=1)).double()
    top1 = float(agree.mean())
    print(f"check-hf-transformers: {cfg.get('architectures', ['?'])[0]} ({cfg.get('model_type')}), transformers "
          f"{transformers.__version__}, torch {torch.__version__}, float32 on {a.device}; {n_tok} positions x {n_vocab} logits")
    for i in range(n_tok):
        if i < 4 or i == n_tok - 1 or not agree[i]:
            print(f"  position {i:4d}  token {int(ids[i]):7d}  relative error {float(rel_pos[i]):.2e}  top token "
                  f"{'agrees' if agree[i] else 'differs: hf %d, llama.cpp %d' % (int(out[i].argmax()), int(ref[i].argmax()))}")
    print(f"  overall relative error {rel:.3e} (max per position {float(rel_pos.max()):.3e}); top token agrees at "
          f"{int(agree.sum())} of {n_tok} positions")
    ok = rel <= a.max_rel and top1 >= a.min_top1
    print(f"check-hf-transformers: {'ok' if ok else 'FAILED'} (bounds: relative error <= {a.max_rel}, top-token agreement >= {a.min_top1})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

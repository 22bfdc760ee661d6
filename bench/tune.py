"""Parameter exploration on mac-dev with precomputed vectors (development tool).

    .venv/bin/python bench/tune.py --grid merge_penalty=0.02,0.04 skip=0.1,0.2

Prints micro-averaged strict/lax F1 for each combination, and with --cv the
leave-one-chapter-out figure (parameters chosen on five chapters, scored on
the sixth), which is the honest number for anything chosen here.
"""
from __future__ import annotations

import argparse
import itertools
import pickle
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from macdev import DEFAULT_MAC_DEV, load_chapters  # noqa: E402


def features(mac_dev: Path, encoder: str, cache: Path | None):
    from align.aligner.inputs import text_length
    from align.aligner.pair import lexical_vectors
    from align.embed import encode_clauses, get_encoder

    enc = get_encoder(encoder)
    out = {}
    for name, (zh, en, gold) in load_chapters(mac_dev).items():
        zt, et = [s.text for s in zh], [s.text for s in en]
        out[name] = dict(zv=enc.encode(zt), ev=enc.encode(et), zl=lexical_vectors(zt), el=lexical_vectors(et),
                         zlen=[text_length(t) for t in zt], elen=[text_length(t) for t in et], gold=gold,
                         zt=zt, et=et, zc=encode_clauses(enc, zt), ec=encode_clauses(enc, et))
    return out


_ENCODER = {"name": "use"}


def span_encoder(zt: list[str], et: list[str]):
    """Encodes concatenated spans for the aligner's second pass (through the embedding cache)."""
    from align.embed import get_encoder

    enc = _ENCODER.get("enc") or _ENCODER.setdefault("enc", get_encoder(_ENCODER["name"]))

    def encode_spans(src_spans, tgt_spans):
        from align.embed import encode_joined

        return (encode_joined(enc, [zt[a:b] for a, b in src_spans], ""),
                encode_joined(enc, [et[a:b] for a, b in tgt_spans], " "))

    return encode_spans


def run(feats, params: dict, names=None, collect=None):
    from align.aligner import AlignParams, align_vectors
    from align.embed import capabilities, get_encoder
    from align.evaluate import score_many

    p = AlignParams.for_level("sentence", **params)
    joined = capabilities(get_encoder(_ENCODER["name"], cache=False)).joined_vectors
    pairs = []
    per = {}
    for name, f in feats.items():
        if names is not None and name not in names:
            continue
        res = align_vectors(f["zv"], f["ev"], f["zlen"], f["elen"], params=p, src_lex=f["zl"], tgt_lex=f["el"],
                            src_texts=f["zt"], tgt_texts=f["et"], src_clauses=f["zc"], tgt_clauses=f["ec"],
                            encode_spans=span_encoder(f["zt"], f["et"]) if joined else None)
        pred = [(b.src, b.tgt) for b in res.beads]
        pairs.append((f["gold"], pred))
        if collect is not None:
            collect.append((f["gold"], pred))
        per[name] = score_many([(f["gold"], pred)]).f1_strict
    return score_many(pairs), per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--grid", nargs="*", default=[])
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--feats", type=Path, default=Path("/tmp/align-tune-feats.pkl"))
    args = ap.parse_args()
    _ENCODER["name"] = args.encoder
    if args.feats.exists():
        feats = pickle.loads(args.feats.read_bytes())
    else:
        feats = features(args.mac_dev, args.encoder, None)
        args.feats.write_bytes(pickle.dumps(feats))
    keys, values = [], []
    for g in args.grid:
        k, v = g.split("=")
        keys.append(k)
        values.append([float(x) if "." in x or "e" in x else int(x) for x in v.split(",")])
    combos = [dict(zip(keys, c)) for c in itertools.product(*values)] or [{}]
    results = []
    for c in combos:
        t = time.perf_counter()
        s, per = run(feats, c)
        results.append((c, s, per))
        print(f"{c}  strict {s.f1_strict:.4f} lax {s.f1_lax:.4f}  "
              + " ".join(f"{v:.3f}" for v in per.values()) + f"  ({time.perf_counter() - t:.1f}s)", flush=True)
    if args.cv and len(combos) > 1:
        from align.evaluate import score_many
        names = list(feats)
        cv_f1, cv_pairs = [], []
        for held in names:
            train = [n for n in names if n != held]
            best = max(combos, key=lambda c: run(feats, c, train)[0].f1_strict)
            s, _ = run(feats, best, [held], collect=cv_pairs)
            print(f"held out {held}: chose {best} -> {s.f1_strict:.4f}")
            cv_f1.append(s.f1_strict)
        total = score_many(cv_pairs)
        print(f"leave-one-chapter-out strict F1: micro {total.f1_strict:.4f} (lax {total.f1_lax:.4f}), "
              f"mean over chapters {np.mean(cv_f1):.4f}")


if __name__ == "__main__":
    main()

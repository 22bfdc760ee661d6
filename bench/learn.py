"""Fit the aligner's bead-score weights on mac-dev with an averaged structured
perceptron, and report the honest leave-one-chapter-out strict F1.

    .venv/bin/python bench/learn.py [--epochs 6] [--cv]

The model is tiny (about 30 weights: the feature weights of features.FEATURES, a
bias per bead shape, the two omission weights); the final weights (fitted on
all six chapters) are printed as Python to paste into AlignParams defaults.
"""
from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tune import features  # noqa: E402
from macdev import DEFAULT_MAC_DEV  # noqa: E402


def build(feats: dict, params):
    from align.aligner.band import Band
    from align.aligner.inputs import make_inputs
    from align.aligner.scorer import Scorer, cosines_for
    from align.aligner.similarity import Neighbours
    from align.embed import edges_of

    out = {}
    for name, f in feats.items():
        inp = make_inputs(f["zv"], f["ev"], f["zlen"], f["elen"], src_lex=f["zl"], tgt_lex=f["el"],
                          src_texts=f["zt"], tgt_texts=f["et"], src_edges=edges_of(f["zc"], f["zv"].shape[1]),
                          tgt_edges=edges_of(f["ec"], f["ev"].shape[1]))
        band = Band.full(inp.n, inp.m)
        cosines = cosines_for(inp, band, params)
        sc = Scorer.build(inp, params, band, Neighbours.within(cosines, band, params.margin_k), cosines)
        gold_path, i, j = [], 0, 0
        for s, t in f["gold"]:
            if (s and s[0] != i) or (t and t[0] != j):
                raise SystemExit(f"{name}: gold is not contiguous at {s}:{t}")
            i += len(s)
            j += len(t)
            gold_path.append((len(s), len(t), i, j))
        out[name] = (sc, gold_path, f["gold"])
    return out


def theta_of(sc) -> np.ndarray:
    return np.concatenate([sc.weights, sc.bias, [sc.params.skip, sc.params.skip_nn]])


def with_theta(sc, theta: np.ndarray):
    """The scorer with the weights theta (feature weights, shape biases, skip, skip_nn)."""
    from dataclasses import replace

    from align.aligner.features import FEATURES
    from align.aligner.scorer import Scorer

    k, S = len(FEATURES), len(sc.bias)
    p = replace(sc.params, **{f.param: float(w) for f, w in zip(FEATURES, theta[:k])},
                shape_biases=tuple((a, b, float(w)) for (a, b), w in zip(sc.shapes, theta[k:k + S])),
                skip=float(theta[k + S]), skip_nn=float(theta[k + S + 1]))
    return Scorer.build(sc.inputs, p, sc.band, sc.neighbours, sc.facts.cosines)


def phi(sc, path) -> np.ndarray:
    from align.aligner.dp import path_features

    pf = path_features(sc, path)
    shape_vec = np.zeros(len(sc.bias))
    for (a, b), c in pf.shapes.items():
        shape_vec[sc.shapes.index((a, b))] += c
    # skip score = -skip - skip_nn * nn  ->  features (-count, -sum nn)
    return np.concatenate([pf.features, shape_vec, -np.array([pf.skips, pf.skip_nn])])


def decode(sc):
    from align.aligner import dp

    path = dp.search(sc)
    return [(pb.a, pb.b, pb.i, pb.j) for pb in path]


def f1(gold, path) -> tuple:
    from align.evaluate import _counts

    pred = [(tuple(range(i - a, i)), tuple(range(j - b, j))) for a, b, i, j in path]
    return _counts(gold, pred), _counts(pred, gold)


def micro(counts) -> float:
    p = sum(c[0][0] for c in counts) / max(1, sum(c[0][0] + c[0][1] for c in counts))
    r = sum(c[1][0] for c in counts) / max(1, sum(c[1][0] + c[1][1] for c in counts))
    return 2 * p * r / (p + r) if p + r else 0.0


def train(data: dict, names: list[str], theta0: np.ndarray, epochs: int, lr: float, rng) -> np.ndarray:
    theta = theta0.copy()
    total = np.zeros_like(theta)
    steps = 0
    gold_phi = {n: phi(data[n][0], data[n][1]) for n in names}
    for ep in range(epochs):
        order = list(names)
        rng.shuffle(order)
        for n in order:
            sc = with_theta(data[n][0], theta)
            pred = decode(sc)
            diff = gold_phi[n] - phi(sc, pred)
            theta = theta + lr * diff / max(1, len(data[n][1]))
            total += theta
            steps += 1
    return total / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=1.0)
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--feats", type=Path, default=Path("/tmp/align-tune-feats.pkl"))
    ap.add_argument("--set", nargs="*", default=[])
    args = ap.parse_args()
    from align.aligner import AlignParams
    from bench_macdev import parse_sets

    feats = pickle.loads(args.feats.read_bytes()) if args.feats.exists() else features(args.mac_dev, "use", None)
    params = AlignParams.for_level("sentence", **parse_sets(args.set))
    data = build(feats, params)
    names = list(data)
    theta0 = theta_of(data[names[0]][0])
    base = [f1(data[n][2], decode(data[n][0])) for n in names]
    print(f"start weights: strict F1 {micro(base):.4f}")
    rng = np.random.default_rng(0)
    if args.cv:
        counts = []
        for held in names:
            th = train(data, [n for n in names if n != held], theta0, args.epochs, args.lr, rng)
            c = f1(data[held][2], decode(with_theta(data[held][0], th)))
            counts.append(c)
            print(f"held out {held}: strict F1 {micro([c]):.4f}", flush=True)
        print(f"leave-one-chapter-out strict F1 (micro) {micro(counts):.4f}")
    th = train(data, names, theta0, args.epochs, args.lr, rng)
    fit = []
    for n in names:
        fit.append(f1(data[n][2], decode(with_theta(data[n][0], th))))
    print(f"fitted on all chapters: strict F1 {micro(fit):.4f} (optimistic)")
    from align.aligner.features import FEATURES

    sc = data[names[0]][0]
    k = len(FEATURES)
    print("# weights")
    for f, w in zip(FEATURES, th[:k]):
        print(f"{f.param} = {w:.4f}")
    print("shape_biases = (" + ", ".join(f"({a}, {b}, {w:.4f})" for (a, b), w in zip(sc.shapes, th[k:k + len(sc.bias)])) + ")")
    print(f"skip = {th[-2]:.4f}\nskip_nn = {th[-1]:.4f}")


if __name__ == "__main__":
    main()

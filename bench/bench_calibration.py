"""How well the bead confidences are calibrated on mac-dev, leave one chapter out.

    .venv/bin/python bench/bench_calibration.py [--encoder use lexical] [--write] [--version V]

For each encoder: aligns mac-dev's six chapters, six mismatched pairs
(chapter k's Chinese with chapter k+1's English: unrelated texts) and
synthetic variants of each chapter with a known answer (synthetic.py:
segments deleted, so that their partner has no counterpart; segments
merged), and keeps every bead's evidence (aligner/confidence.py) and
whether it is right: exactly a gold bead (strict). Then, for each chapter
in turn, fits the three models of a calibrator on the other five and scores
the held-out chapter's beads; the held-out predictions are pooled. Prints
ECE (10 equal-width bins), Brier score, AUROC and a reliability table (bin,
count, mean confidence, accuracy), before (the confidences before
calibration, recomputed from the same evidence) and after.

- ``aligned``: P(right | related text) from the a:b beads of the five chapters;
- ``related``: P(related text) from the a:b beads of the five chapters (1) and
  of the mismatched pairs that use neither side of the held-out chapter (0);
- ``null``: from the 1:0 and 0:1 beads of the five chapters and their
  synthetic variants, aligned with the default ``skip`` and also with
  ``skip`` 0.3 and 0.2 (the default aligner's omissions are almost always
  right; a cheaper skip makes it leave out segments that do have a
  partner). A margin measured with another skip is restated as the default
  skip would have made it (margin - (default skip - skip)), and so is the
  partner margin.

``--write`` fits on all six chapters and writes
src/align/aligner/calibration/<encoder>.json (with ``--version``, today's
date, the training set and the held-out figures). Beads are the same as
without calibration: only confidences change.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import pickle
import resource
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from macdev import DEFAULT_MAC_DEV, ROOT  # noqa: E402

from align.aligner.confidence import restate  # noqa: E402

BINS = 10
L2 = 1e-3  # ridge on standardised features (the intercept is free)
NULL_SKIPS = (0.3, 0.2)  # cheaper skips, for omissions that are wrong
SEED = 13

# The confidences before calibration (AlignParams.conf_weights, confidence.py
# until this change): sigmoid(w . [cos, cos_nn, lex, len] + bias) for a:b
# beads, 1 - sigmoid(8 (nn - 0.45)) for 1:0 and 0:1 beads.
BEFORE = {"use": (12.03, -1.19, 5.93, 0.49, -4.50), "lexical": (17.48, -0.65, 0.0, 0.83, -1.95)}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def before_confidence(ev, encoder: str) -> float:
    """What the bead's confidence was before calibration."""
    if ev.kind != "aligned":
        return float(1.0 - _sigmoid(8.0 * (ev.nn - 0.45)))
    w = BEFORE[encoder]
    return float(_sigmoid(w[0] * ev.cos + w[1] * ev.cos_nn + w[2] * ev.lex + w[3] * ev.len + w[4]))


# -- metrics ------------------------------------------------------------------

@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    count: int
    confidence: float
    accuracy: float


def reliability(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> list[Bin]:
    """Equal-width bins of confidence: count, mean confidence, accuracy (empty bins left out)."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    return [Bin(b / bins, (b + 1) / bins, int((idx == b).sum()), float(p[idx == b].mean()), float(y[idx == b].mean()))
            for b in range(bins) if (idx == b).any()]


def ece(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: the count-weighted mean |confidence - accuracy| over the bins."""
    return sum(b.count * abs(b.confidence - b.accuracy) for b in reliability(p, y, bins)) / max(len(p), 1)


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2)) if len(p) else math.nan


def auroc(p: np.ndarray, y: np.ndarray) -> float:
    """P(a right bead's confidence > a wrong one's), ties counted half."""
    pos, neg = p[y == 1], p[y == 0]
    if not len(pos) or not len(neg):
        return math.nan
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    allp = np.concatenate([pos, neg])[order]
    ranks = np.empty(len(allp))
    i = 0
    while i < len(allp):
        j = i
        while j + 1 < len(allp) and allp[j + 1] == allp[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def figures(p: np.ndarray, y: np.ndarray) -> dict:
    return {"beads": int(len(p)), "accuracy": round(float(y.mean()), 4) if len(y) else None,
            "ece": round(ece(p, y), 4), "brier": round(brier(p, y), 4), "auroc": round(auroc(p, y), 4)}


# -- collecting evidence ------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One alignment's beads, their evidence and whether each is right."""

    chapter: str  # the mac-dev chapter whose Chinese it aligns
    variant: str  # real, mismatched (with the English of ``other``), deletion or merge
    skip: float
    evidence: tuple
    right: np.ndarray  # bool per bead; all False for a mismatched pair
    other: str = ""


def _span_encoder(encoder, zt, et):
    from align.embed import encode_joined

    def encode_spans(src_spans, tgt_spans):
        return (encode_joined(encoder, [zt[a:b] for a, b in src_spans], ""),
                encode_joined(encoder, [et[a:b] for a, b in tgt_spans], " "))
    return encode_spans


def align(src: dict, tgt: dict, encoder, caps, params):
    """align_vectors as align_pair calls it for this encoder, on tune.features-style chapters."""
    from align.aligner import align_vectors

    lex = params.lexical and params.w_lex and not caps.lexical
    clauses = caps.clause_vectors and (params.w_edge_head or params.w_edge_tail or (params.refine and params.w_clause))
    return align_vectors(src["zv"], tgt["ev"], src["zlen"], tgt["elen"], params=params,
                         src_lex=src["zl"] if lex else None, tgt_lex=tgt["el"] if lex else None,
                         src_texts=src["zt"], tgt_texts=tgt["et"],
                         src_clauses=src["zc"] if clauses else None, tgt_clauses=tgt["ec"] if clauses else None,
                         encode_spans=_span_encoder(encoder, src["zt"], tgt["et"]) if caps.joined_vectors else None)


def _run(name, variant, src, tgt, encoder, caps, params, other=""):
    res = align(src, tgt, encoder, caps, params)
    gold = set() if other else {(tuple(s), tuple(t)) for s, t in src["gold"]}
    right = np.array([(b.src, b.tgt) in gold for b in res.beads], dtype=bool)
    return Run(name, variant, params.skip, res.evidence, right, other)


def collect(encoder_name: str, mac_dev: Path, feats_cache: Path | None) -> list[Run]:
    from align.aligner import AlignParams
    from align.embed import capabilities, get_encoder
    from synthetic import delete, merge
    from tune import features

    if feats_cache and feats_cache.exists():
        chapters = pickle.loads(feats_cache.read_bytes())
    else:
        chapters = features(mac_dev, encoder_name, None)
        if feats_cache:
            feats_cache.write_bytes(pickle.dumps(chapters))
    encoder = get_encoder(encoder_name)
    caps = capabilities(encoder)
    base = AlignParams.for_level("sentence", calibration="lexical" if caps.lexical else "use")
    rng = np.random.default_rng(SEED)
    names = list(chapters)
    runs: list[Run] = []
    for k, name in enumerate(names):
        ch = chapters[name]
        other = names[(k + 1) % len(names)]
        variants = [("real", ch), ("deletion", delete(ch, "tgt", 8, rng)), ("deletion", delete(ch, "src", 8, rng)),
                    ("deletion", delete(ch, "tgt", 8, rng)), ("deletion", delete(ch, "src", 8, rng)),
                    ("merge", merge(ch, "tgt", 10, rng, encoder)), ("merge", merge(ch, "src", 10, rng, encoder))]
        runs.append(_run(name, "mismatched", ch, chapters[other], encoder, caps, base, other=other))
        for variant, v in variants:
            for skip in (base.skip,) + NULL_SKIPS:
                runs.append(_run(name, variant, v, v, encoder, caps, replace(base, skip=skip)))
        print(f"  {name}: {sum(r.chapter == name for r in runs)} alignments", file=sys.stderr, flush=True)
    return runs


# -- fitting ------------------------------------------------------------------

def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """Weights and bias of a ridge logistic regression (Newton's method on
    standardised features), returned for the raw features."""
    mu, sd = X.mean(axis=0), X.std(axis=0) + 1e-9
    Z = np.column_stack([(X - mu) / sd, np.ones(len(X))])
    w = np.zeros(Z.shape[1])
    ridge = l2 * len(y) * np.diag(np.r_[np.ones(Z.shape[1] - 1), 0.0])
    for _ in range(100):
        p = _sigmoid(Z @ w)
        grad = Z.T @ (p - y) + ridge @ w
        hess = (Z * (p * (1 - p))[:, None]).T @ Z + ridge + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    weights = w[:-1] / sd
    return weights, float(w[-1] - weights @ mu)


# the features of each model, by name (confidence.BeadEvidence). The aligned
# model has the margin alone: the bead's size adds nothing with USE (held-out
# AUROC 0.902 -> 0.900) and much with the lexical encoder (0.78 -> 0.88), but
# mac-dev's beads are sentences: at clause level, where large beads are the
# rule, it made 24 of 98号's clause rows against clt and blog omissions
# (confidence < 0.10) on a genuine pair. The cosines (cos, cos_nn, lex) and
# the length term add nothing held out either (bench/README.md).
ALIGNED = {"use": ("margin",), "lexical": ("margin",)}
RELATED = ("local_cos",)
# and for the null model: with USE the partner margin (held-out AUROC over
# the three skips' omissions 0.63, against 0.41 with margin and gain); with
# the lexical encoder nothing tells right omissions from wrong ones held out,
# and margin and gain put its one default-skip omission where it belongs
NULL = {"use": ("partner_margin",), "lexical": ("margin", "gain")}


def _rows(runs, kind_aligned: bool, default_skip: float, names: tuple[str, ...]):
    X, y = [], []
    for r in runs:
        for ev, ok in zip(r.evidence, r.right):
            if (ev.kind == "aligned") != kind_aligned:
                continue
            X.append([restate(ev, r.skip, default_skip).value(n) for n in names])
            y.append(float(ok))
    return np.array(X, dtype=np.float64).reshape(-1, len(names)), np.array(y)


def fit(runs: list[Run], name: str, version: str, training: str, encoder: str):
    """A Calibrator fitted on ``runs`` (see the module docstring for which beads each model sees)."""
    from align.aligner import AlignParams
    from align.aligner.confidence import Calibrator, Logistic

    skip = AlignParams().skip
    real = [r for r in runs if r.variant == "real" and r.skip == skip]
    mismatched = [r for r in runs if r.variant == "mismatched"]
    models = {}
    X, y = _rows(real, True, skip, ALIGNED[encoder])
    models["aligned"] = Logistic(ALIGNED[encoder], *_pack(fit_logistic(X, y)))
    Xr, _ = _rows(real, True, skip, RELATED)
    Xm, _ = _rows(mismatched, True, skip, RELATED)
    X, y = np.vstack([Xr, Xm]), np.r_[np.ones(len(Xr)), np.zeros(len(Xm))]
    models["related"] = Logistic(RELATED, *_pack(fit_logistic(X, y)))
    X, y = _rows([r for r in runs if r.variant != "mismatched"], False, skip, NULL[encoder])
    models["null"] = Logistic(NULL[encoder], *_pack(fit_logistic(X, y)))
    return Calibrator(name, version, datetime.date.today().isoformat(), training, skip, **models)


def _pack(wb):
    w, b = wb
    return tuple(round(float(x), 4) for x in w), round(b, 4)


# -- evaluation ---------------------------------------------------------------

@dataclass(frozen=True)
class Pooled:
    """Held-out predictions, before and after, with the truth."""

    before: np.ndarray
    after: np.ndarray
    right: np.ndarray


def leave_one_out(runs: list[Run], encoder: str):
    """Per chapter, a calibrator fitted on the other five; the held-out
    chapter's beads scored with it. Returns pooled predictions for a:b beads
    (real chapters), 1:0 / 0:1 beads (real and synthetic, default skip),
    the same with the cheaper skips' runs too (margins restated at the
    default skip), every bead of the real chapters, and each mismatched
    pair's mean a:b confidence before and after."""
    from align.aligner import AlignParams

    skip = AlignParams().skip
    chapters = sorted({r.chapter for r in runs})
    sets = {"a:b beads": [], "1:0 and 0:1 beads": [], "1:0 and 0:1 beads, skip 0.42, 0.3 and 0.2": [],
            "all beads of the chapters": []}
    unrelated = []
    for held in chapters:
        train = [r for r in runs if r.chapter != held and (r.variant != "mismatched" or r.other != held)]
        cal = fit(train, "held-out", "0", "", encoder)
        for r in runs:
            if r.chapter == held and r.variant != "mismatched":
                for ev, ok in zip(r.evidence, r.right):
                    if ev.kind != "aligned":
                        sets["1:0 and 0:1 beads, skip 0.42, 0.3 and 0.2"].append(
                            (before_confidence(ev, encoder), cal.confidence(ev, r.skip), float(ok)))
            if r.chapter != held or r.skip != skip:
                continue
            for ev, ok in zip(r.evidence, r.right):
                row = (before_confidence(ev, encoder), cal.confidence(ev), float(ok))
                if r.variant == "real":
                    sets["all beads of the chapters"].append(row)
                    if ev.kind == "aligned":
                        sets["a:b beads"].append(row)
                if ev.kind != "aligned" and r.variant != "mismatched":
                    sets["1:0 and 0:1 beads"].append(row)
            if r.variant == "mismatched":
                ab = [ev for ev in r.evidence if ev.kind == "aligned"]
                unrelated.append((f"{r.chapter}x{r.other}", np.mean([before_confidence(e, encoder) for e in ab]),
                                  np.mean([cal.confidence(e) for e in ab])))
    pooled = {k: Pooled(*(np.array(c) for c in zip(*v))) if v else Pooled(np.zeros(0), np.zeros(0), np.zeros(0))
              for k, v in sets.items()}
    return pooled, unrelated


def print_figures(title: str, pooled: Pooled) -> dict:
    out = {}
    print(f"\n{title}: {len(pooled.right)} beads, {pooled.right.mean() if len(pooled.right) else math.nan:.1%} right")
    print(f"  {'':7} {'ECE':>7} {'Brier':>7} {'AUROC':>7}")
    for label, p in (("before", pooled.before), ("after", pooled.after)):
        f = figures(p, pooled.right)
        out[label] = f
        print(f"  {label:7} {f['ece']:7.4f} {f['brier']:7.4f} {f['auroc']:7.4f}")
    for label, p in (("before", pooled.before), ("after", pooled.after)):
        print(f"  reliability {label}:  bin        count  mean conf  accuracy")
        for b in reliability(p, pooled.right):
            print(f"  {'':21}{b.lo:.1f}-{b.hi:.1f}  {b.count:7d}  {b.confidence:9.3f}  {b.accuracy:8.3f}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--encoder", nargs="+", default=["use", "lexical"])
    ap.add_argument("--write", action="store_true", help="refit on all six chapters and write the calibrator JSON")
    ap.add_argument("--version", default=None, help="the written calibrator's version (with --write)")
    ap.add_argument("--feats", type=Path, default=Path("/tmp"),
                    help="folder for the encoded chapters (align-calib-feats-<encoder>.pkl), reused when there")
    ap.add_argument("--runs", type=Path, default=None,
                    help="folder to keep the collected evidence in (runs-<encoder>.pkl) and reuse it from: "
                         "only while the aligner and its evidence do not change")
    args = ap.parse_args()
    if args.write and not args.version:
        ap.error("--write needs --version")
    t0 = time.perf_counter()
    for encoder in args.encoder:
        t = time.perf_counter()
        print(f"== encoder {encoder}: collecting evidence", file=sys.stderr, flush=True)
        kept = args.runs / f"runs-{encoder}.pkl" if args.runs else None
        if kept and kept.exists():
            runs = pickle.loads(kept.read_bytes())
        else:
            runs = collect(encoder, args.mac_dev, args.feats / f"align-calib-feats-{encoder}.pkl")
            if kept:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_bytes(pickle.dumps(runs))
        print(f"\n== encoder {encoder} ({len(runs)} alignments, {time.perf_counter() - t:.0f} s): "
              "leave-one-chapter-out on mac-dev, held-out predictions pooled")
        pooled, unrelated = leave_one_out(runs, encoder)
        held_out = {title: print_figures(title, p) for title, p in pooled.items()}
        print("\n  mismatched pairs (unrelated texts), mean a:b confidence before -> after "
              "(align_pair warns below 0.35):")
        for name, b, a in unrelated:
            print(f"    {name}: {b:.3f} -> {a:.3f}")
        if args.write:
            from align.aligner import AlignParams

            n_real = sum(r.variant == "real" and r.skip == AlignParams().skip for r in runs)
            training = (f"mac-dev ({n_real} chapters, hand-aligned zh-en literary; bench/bench_calibration.py): "
                        "aligned on the chapters' a:b beads; related on those against the a:b beads of "
                        "6 mismatched chapter pairs; null on the 1:0 and 0:1 beads of the chapters and of "
                        "synthetic variants (segments deleted or merged, bench/synthetic.py), aligned with "
                        f"skip 0.42, {', '.join(map(str, NULL_SKIPS))}")
            cal = fit(runs, encoder, args.version, training, encoder)
            path = ROOT / "src" / "align" / "aligner" / "calibration" / f"{encoder}.json"
            data = cal.as_dict(held_out={"method": "leave-one-chapter-out on mac-dev, pooled", **held_out})
            path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"\n  wrote {path.relative_to(ROOT)}: {json.dumps(data['models'])}")
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nwall {wall:.1f} s  peak RSS {peak:.0f} MiB  load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Bead confidences: the shipped calibrators, what they respond to, and
omissions and additions on hand-built vectors whose answer is known."""
from __future__ import annotations

import json
import numpy as np
import pytest

from align.aligner import AlignParams, align_pair, align_vectors
from align.aligner.confidence import (CALIBRATORS, FEATURE_NAMES, BeadEvidence, Calibrator, load_calibrator)
from align.errors import UsageError
from align.model import Segment

DIM = 64


def aligned_evidence(**values) -> BeadEvidence:
    """An a:b bead's evidence, typical of a good literary pair, with ``values`` changed."""
    base = dict(kind="aligned", cos=0.5, cos_nn=0.1, lex=0.15, len=-0.05, nn=0.4, margin=0.3, local_cos=0.5,
                gain=0.0, partner_margin=0.0, size=0)
    return BeadEvidence(**{**base, **values})


def null_evidence(**values) -> BeadEvidence:
    base = dict(kind="addition", cos=0.0, cos_nn=0.0, lex=0.0, len=0.0, nn=0.35, margin=0.2, local_cos=0.5,
                gain=-0.05, partner_margin=0.2, size=-1)
    return BeadEvidence(**{**base, **values})


@pytest.mark.parametrize("name", CALIBRATORS)
def test_the_calibrators_load_with_their_version_and_what_they_were_fitted_on(name):
    cal = load_calibrator(name)
    assert cal.name == name and cal.version and cal.version != "0"
    assert cal.label == f"{name}/{cal.version}"
    assert len(cal.date) == 10 and "mac-dev" in cal.training
    for model in (cal.aligned, cal.related, cal.null):
        assert model.features and set(model.features) <= set(FEATURE_NAMES)
        assert len(model.weights) == len(model.features)
    # the JSON round-trips
    assert Calibrator.from_dict(json.loads(json.dumps(cal.as_dict()))) == cal


def test_a_calibrator_fitted_on_other_evidence_or_unknown_is_refused():
    data = load_calibrator("use").as_dict()
    with pytest.raises(ValueError, match="refit"):
        Calibrator.from_dict({**data, "evidence": {"margin_cap": 2.0, "local_window": 5, "partner_window": 2}})
    with pytest.raises(ValueError, match="format"):
        Calibrator.from_dict({**data, "format": "something-else"})
    bad = json.loads(json.dumps(data))
    bad["models"]["aligned"]["features"] = ["no_such_evidence"]
    with pytest.raises(ValueError, match="no_such_evidence"):
        Calibrator.from_dict(bad)
    with pytest.raises(UsageError, match="calibration"):
        load_calibrator("labse")


@pytest.mark.parametrize("name", CALIBRATORS)
def test_confidence_rises_with_the_margin_and_the_cosines_around_the_bead(name):
    cal = load_calibrator(name)
    margins = [cal.confidence(aligned_evidence(margin=m)) for m in (0.0, 0.05, 0.1, 0.2, 0.4)]
    assert margins == sorted(margins) and margins[0] < margins[-1]
    # a:b beads among better-matching ones (the bead's own cosine is part of that mean)
    local = [cal.confidence(aligned_evidence(local_cos=c, margin=0.1)) for c in (0.05, 0.1, 0.2, 0.3, 0.4)]
    assert local == sorted(local) and local[0] < 0.2 < local[-1]
    # an omission or addition: surer the more leaving the segment out beat giving it a partner
    nulls = [cal.confidence(null_evidence(margin=m, partner_margin=m)) for m in (-0.4, -0.2, 0.0, 0.1, 0.3)]
    assert nulls == sorted(nulls) and nulls[0] < nulls[-1]
    # and never surer when a neighbouring bead would gain by taking the segment in
    gains = [cal.confidence(null_evidence(margin=0.0, partner_margin=0.0, gain=g)) for g in (-0.1, 0.0, 0.1, 0.3)]
    assert gains == sorted(gains, reverse=True)


def test_higher_cosine_means_higher_confidence_other_things_equal():
    """The same alignment with one bead's target made less like its source:
    that bead's evidence (its cosine, the mean around it) falls, and so does
    its confidence."""
    src, tgt, slen, tlen, _ = build([(1, 1)] * 12, noise=0.12)
    rng = np.random.default_rng(11)
    worse = tgt.copy()
    worse[5] = worse[5] + 0.4 * rng.normal(size=DIM) / np.sqrt(DIM)
    worse[5] /= np.linalg.norm(worse[5])
    good = align_vectors(src, tgt, slen, tlen)
    bad = align_vectors(src, worse, slen, tlen)
    assert [(b.src, b.tgt) for b in good.beads] == [(b.src, b.tgt) for b in bad.beads]
    assert bad.evidence[5].cos < good.evidence[5].cos and bad.evidence[5].local_cos < good.evidence[5].local_cos
    assert bad.beads[5].confidence <= good.beads[5].confidence


def build(shapes, seed: int = 0, noise: float = 0.12):
    """Vectors whose true alignment is ``shapes``: an a:b bead's content is
    max(a, b) random atoms shared out in order on both sides; a 1:0 / 0:1
    bead has content of its own. ``noise`` 0.12 gives cosines of about 0.5,
    as a neural encoder's are for a literary translation."""
    rng = np.random.default_rng(seed)
    src, tgt, slen, tlen, gold = [], [], [], [], []
    for a, b in shapes:
        atoms = rng.normal(size=(max(a, b), DIM)) / np.sqrt(DIM)
        gold.append((tuple(range(len(src), len(src) + a)), tuple(range(len(tgt), len(tgt) + b))))
        for part in np.array_split(np.arange(len(atoms)), a) if a else []:
            src.append(atoms[part].sum(axis=0))
            slen.append(10.0 * len(part) * (1 if b else 3))  # an omitted sentence: a long one
        for part in np.array_split(np.arange(len(atoms)), b) if b else []:
            tgt.append(atoms[part].sum(axis=0))
            tlen.append(30.0 * len(part) * (1 if a else 3))

    def norm(x):
        x = np.array(x)
        x = x / np.linalg.norm(x, axis=1, keepdims=True) + noise * rng.normal(size=x.shape)
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    return norm(src), norm(tgt), slen, tlen, gold


def _with_extra_target(partner: bool, seed: int = 2, **params):
    """Ten 1:1 beads, and after the fifth target segment one more: with
    ``partner``, another rendering of the fifth source segment (its content
    with noise of its own: the translator said it twice); without, something
    of its own. Only 1:1 beads are allowed, so one target segment is left
    over as a 0:1 bead: with a partner, one of two equally good ones."""
    src, tgt, slen, tlen, _ = build([(1, 1)] * 10, seed=seed)
    rng = np.random.default_rng(seed + 100)
    content = src[4] if partner else rng.normal(size=DIM)
    extra = content / np.linalg.norm(content) + 0.12 * rng.normal(size=DIM)
    tgt = np.insert(tgt, 5, extra / np.linalg.norm(extra), axis=0).astype(np.float32)
    tlen = tlen[:5] + [30.0] + tlen[5:]
    return align_vectors(src, tgt, slen, tlen, params=AlignParams(max_src=1, max_tgt=1, max_total=2, **params))


def _addition(res):
    [k] = [k for k, b in enumerate(res.beads) if not b.src]
    assert res.beads[k].tgt in ((4,), (5,))
    # the rest is the perfect neighbourhood: every other target has its source
    assert all(b.src and b.tgt for b in res.beads if b.tgt and b.tgt[0] not in (4, 5))
    assert all(0.0 <= b.confidence <= 1.0 for b in res.beads)
    return res.beads[k], res.evidence[k]


@pytest.mark.parametrize("skip", [0.42, 0.1])
def test_an_addition_with_a_partner_is_doubtful_and_one_without_is_sure(skip):
    """With the default skip score the aligner leaves a segment out only
    where giving it a partner costs more than that (on mac-dev every such
    omission was right); with a cheap one it also leaves out segments that
    have a good partner, and their confidence says so."""
    sure, sure_ev = _addition(_with_extra_target(partner=False, skip=skip))
    doubtful, doubtful_ev = _addition(_with_extra_target(partner=True, skip=skip))
    assert sure.tgt == (5,)  # the extra segment, which has no counterpart
    assert sure.confidence > 0.95
    # the other rendering would have done as well: giving the segment a partner costs next to nothing
    assert doubtful_ev.partner_margin < 0.1 < sure_ev.partner_margin
    assert doubtful.confidence < sure.confidence
    if skip < AlignParams().skip:
        assert doubtful.confidence < 0.5  # more likely than not, the segment has a counterpart


def test_an_untranslated_text_is_all_sure_omissions():
    src, _, slen, _, _ = build([(1, 1)] * 4)
    res = align_vectors(src, np.zeros((0, DIM), np.float32), slen, [])
    assert [b.confidence for b in res.beads] == [1.0] * 4 and all(not b.tgt for b in res.beads)


class DictEncoder:
    """A lookup table of hand-made vectors (no clauses, no joined texts)."""

    clause_vectors = False
    joined_vectors = False

    def __init__(self, table, name="dict", lexical=False):
        self.table, self.name, self.lexical = table, name, lexical
        self.dim = len(next(iter(table.values())))

    def encode(self, texts):
        return np.stack([self.table[t] for t in texts]).astype(np.float32)


def test_align_pair_records_the_calibrator_and_picks_lexical_for_a_dictionary_encoder():
    src, tgt, _, _, _ = build([(1, 1)] * 6)
    zh = [f"源{i}" * 4 for i in range(6)]
    en = [f"target {j} " * 3 for j in range(6)]
    table = {**dict(zip(zh, src)), **dict(zip(en, tgt))}
    segs = lambda texts, lang: [Segment(index=i, text=t, start=0, end=len(t), lang=lang) for i, t in enumerate(texts)]
    neural = align_pair(segs(zh, "zh"), segs(en, "en"), encoder=DictEncoder(table), lexical=False)
    lexical = align_pair(segs(zh, "zh"), segs(en, "en"), encoder=DictEncoder(table, "dictlex", lexical=True))
    assert neural.signature["calibration"] == load_calibrator("use").label
    assert neural.signature["params"]["calibration"] == "use"
    assert lexical.signature["calibration"] == load_calibrator("lexical").label
    forced = align_pair(segs(zh, "zh"), segs(en, "en"), encoder=DictEncoder(table, "dictlex", lexical=True),
                        calibration="use")
    assert forced.signature["params"]["calibration"] == "use"
    assert [(b.src, b.tgt) for b in neural.beads] == [(b.src, b.tgt) for b in lexical.beads]


def test_evidence_is_named_and_matches_the_beads():
    src, tgt, slen, tlen, gold = build([(1, 1), (1, 2), (1, 1), (0, 1), (1, 1), (2, 1), (1, 1)], seed=4, noise=0.05)
    res = align_vectors(src, tgt, slen, tlen)
    assert [(b.src, b.tgt) for b in res.beads] == gold
    assert len(res.evidence) == len(res.beads)
    for b, ev in zip(res.beads, res.evidence):
        assert ev.kind == ("aligned" if b.src and b.tgt else "omission" if b.src else "addition")
        assert ev.size == (len(b.src) + len(b.tgt) - 2 if ev.kind == "aligned" else -1)
        assert 0.0 <= ev.margin <= 1.0
        assert {name: ev.value(name) for name in FEATURE_NAMES}
    with pytest.raises(KeyError):
        res.evidence[0].value("kind")

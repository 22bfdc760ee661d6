"""The lexical view's pinyin (embed/lexical_pinyin.py) is pypinyin's
``"".join(lazy_pinyin(word))`` for every word it can be asked about, without
importing pypinyin once its index is in the cache folder."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from align.embed import lexical_pinyin
from builders import empty_cache_folder

# heteronyms a phrase decides (重庆 chong, 银行 hang, 行长 zhang), a name,
# Latin and digits beside Chinese (kept as they are), 〇, a character outside
# the BMP, characters of no phrase, a run the segmenter cuts into phrases
HAND_BUILT = ["", "a", "ab中国", "中国abc人民", "〇一二", "\U00020000字", "重庆", "银行", "行长", "长大", "陈清扬",
              "王二", "𠀀𠀁", "个人诚信体系建设", "中华人民共和国国务院办公厅", "魑魅魍魉"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    yield from empty_cache_folder(tmp_path, monkeypatch, lexical_pinyin._STATE)


def test_hand_built_words_read_as_lazy_pinyin_reads_them(cache_dir):
    from pypinyin import lazy_pinyin

    for word in HAND_BUILT:
        assert lexical_pinyin.joined_pinyin(word) == "".join(lazy_pinyin(word)), word
    assert lexical_pinyin.joined_pinyin("重庆银行行长") == "chongqingyinhanghangzhang"
    assert list(cache_dir.glob("pinyin-index*.bin"))


@pytest.mark.slow
def test_every_headword_and_character_the_lexical_view_asks_about(cache_dir):
    """The lexical view asks the pinyin of CC-CEDICT headwords of two to eight
    characters (zh_words' words) and of single characters of its _CJK ranges
    (names); all of them, as lazy_pinyin answers."""
    from pypinyin import lazy_pinyin

    from align.embed import lexical

    words = [w for w in lexical.cedict().to_dict() if len(w) > 1]
    chars = [chr(c) for r in ((0x3400, 0xA000), (0xF900, 0xFB00)) for c in range(*r)]
    assert len(words) > 90_000
    index = lexical_pinyin.index()
    differ = [w for w in words + chars if index.joined(w) != "".join(lazy_pinyin(w))]
    assert not differ, [(w, index.joined(w), "".join(lazy_pinyin(w))) for w in differ[:5]]


def test_a_damaged_index_is_rebuilt_with_a_note(cache_dir):
    from align.errors import Note

    expected = lexical_pinyin.joined_pinyin("陈清扬")
    (path,) = cache_dir.glob("pinyin-index*.bin")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError):
        lexical_pinyin.PinyinIndex(bytes(data))
    lexical_pinyin._STATE.clear()
    with pytest.warns(Note, match="damaged pinyin index cache"):
        assert lexical_pinyin.joined_pinyin("陈清扬") == expected == "chenqingyang"
    lexical_pinyin.PinyinIndex(path.read_bytes())  # the rebuilt file opens


def test_with_the_index_in_place_pypinyin_is_not_imported(tmp_path):
    probe = ("import sys\n"
             "from align.embed import lexical_pinyin\n"
             "print(lexical_pinyin.joined_pinyin('陈清扬'), 'pypinyin' in sys.modules)\n")
    env = {**os.environ, "ALIGN_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=300)
            for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    # the first run's index is built by a child process (align.sections), the second reads it: neither imports it
    assert runs[0].stdout.split() == runs[1].stdout.split() == ["chenqingyang", "False"]
    assert len(list((tmp_path / "cache").glob("pinyin-index*.bin"))) == 1

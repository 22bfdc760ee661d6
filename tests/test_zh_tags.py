"""The clause heuristic's part-of-speech tags (segment/zh_tags.py) are
jieba.posseg's, word for word, without importing jieba.posseg."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from align.segment import zh_tags
from builders import empty_cache_folder

REPO = Path(__file__).resolve().parents[1]
MAC_DEV = REPO.parent / "shared" / "bench" / "mac-dev" / "zh"

# the odd corners of posseg's cut: Latin and digits inside and outside Chinese
# runs, whitespace and CRLF, full-width forms, a name only the HMM finds
# (陈清扬), a run of unknown single characters, an empty piece
HAND_BUILT = ["", " ", "abc 123", "3.5万元", "Ｏ２Ｏ平台", "陈清扬说：“不。”", "a\r\nb c\td", "C++和C#语言",
              "1.2.3版", "　全角空格", "王二说他就跟我比武", "褒扬诚信,惩戒失信", "推荐的会员", "魑魅魍魉饕餮",
              "e-mail和ＡＰＰ", "2016年12月30日国办发〔2016〕98号"]


def _pieces(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        out.append(line[:200])
        out.extend(p for p in re.split(r"[，,；;：:。！？]", line) if p)
    return out


def _corpus_pieces() -> list[str]:
    pieces = list(HAND_BUILT)
    for path in sorted((REPO / "data" / "zh").glob("*.txt")) + sorted((REPO / "data" / "en").glob("*.txt")):
        pieces += _pieces(path.read_text(encoding="utf-8"))
    chapter = MAC_DEV / "001"
    if chapter.is_file():  # a literary chapter: names, dialogue
        pieces += _pieces(chapter.read_text(encoding="utf-8"))[:1500]
    return pieces


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    yield from empty_cache_folder(tmp_path, monkeypatch, zh_tags._STATE)


def test_tags_are_jieba_posseg_s_on_the_corpus_and_hand_built_pieces(cache_dir):
    import jieba.posseg as pseg

    tagger = zh_tags.tagger()
    pieces = _corpus_pieces()
    assert len(pieces) > 1000
    differ = [(p, tagger.lcut(p), [(w.word, w.flag) for w in pseg.lcut(p)]) for p in pieces]
    differ = [d for d in differ if d[1] != d[2]]
    assert not differ, differ[:3]
    # a run of single characters jieba does not list goes through the HMM (王二 found there)
    assert tagger.lcut("王二说他就跟我比武")[:2] == [("王二", "nr"), ("说", "v")]


def test_the_index_is_kept_in_the_cache_folder_and_read_back_the_same(cache_dir):
    built = zh_tags.tagger()
    files = list(cache_dir.glob("jieba-tags*.bin"))
    assert len(files) == 1
    zh_tags._STATE.clear()
    again = zh_tags.tagger()
    assert again is not built
    assert again.index.total == built.index.total > 0
    for word in ("诚信", "诚", "比武", "国务院办公厅", "国务院办"):  # a word, a character, a prefix
        assert again.index.FREQ.get(word) == built.index.FREQ.get(word)
        assert again.index.tag(word) == built.index.tag(word)
    assert built.index.FREQ.get("国务院办") == 0 and "国务院办" in built.index.FREQ  # a prefix, not a word
    assert built.index.tag("国务院办") == "x" and "不在词典里的词" not in built.index.FREQ


def test_a_damaged_index_is_rebuilt_with_a_note(cache_dir):
    from align.errors import Note

    zh_tags.tagger()
    (path,) = cache_dir.glob("jieba-tags*.bin")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    zh_tags._STATE.clear()
    with pytest.warns(Note, match="damaged jieba tag index cache"):
        tagger = zh_tags.tagger()
    assert tagger.lcut("他就跟我比武") == [("他", "r"), ("就", "d"), ("跟", "p"), ("我", "r"), ("比武", "nr")]
    with pytest.raises(ValueError):
        zh_tags.TagIndex(bytes(data))
    zh_tags.TagIndex(path.read_bytes())  # the rebuilt file opens


def test_clause_cuts_tag_without_importing_jieba_posseg(tmp_path):
    probe = ("import sys\n"
             "from align.segment import zh\n"
             "print(zh._tagged_predicate('他就跟我打架'), zh._tagged_predicate('推荐的会员'))\n"
             "print('jieba.posseg' in sys.modules)\n")
    env = {**os.environ, "ALIGN_CACHE_DIR": str(tmp_path / "cache")}
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["True", "False", "False"]


def test_the_tagger_is_let_go_after_a_document_and_answers_the_same_again(cache_dir):
    from align import segment

    text = "褒扬诚信,惩戒失信,推进个人诚信记录建设。王二说他就跟我比武。"
    first = segment.segment(text, "zh", "clause")
    tagger = zh_tags.tagger()
    tags = tagger.lcut("王二说他就跟我比武")
    assert tagger.index._sections
    segment.save_memos()  # what the pipeline calls once per document
    assert not tagger.index._sections  # a book's sections (about 90 MB) are not kept while it is encoded
    assert zh_tags.tagger() is tagger  # the index is not read (or built) again
    assert tagger.lcut("王二说他就跟我比武") == tags
    assert segment.segment(text, "zh", "clause") == first

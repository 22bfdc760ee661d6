"""Bead files and Vecalign's strict/lax scores on hand-made cases."""
from __future__ import annotations

import pytest

from align.errors import InputError
from align.evaluate import evaluate_paths, format_beads, parse_beads, read_beads, score, score_many, write_beads
from align.model import Bead


def test_parse_and_format_round_trip(tmp_path):
    text = "[0,1]:[0]\n[2]:[1, 2]\n[3]:[]\n[]:[3]\n[4]:[4]:0.1234\n"
    beads = parse_beads(text)
    assert beads == [((0, 1), (0,)), ((2,), (1, 2)), ((3,), ()), ((), (3,)), ((4,), (4,))]
    path = write_beads(tmp_path / "x.beads", beads)
    assert read_beads(path) == beads
    assert format_beads([Bead((0,), (1, 2))]) == "[0]:[1,2]\n"


def test_malformed_line_names_file_and_line(tmp_path):
    p = tmp_path / "bad.beads"
    p.write_text("[0]:[0]\n0-1\n")
    with pytest.raises(InputError) as exc:
        read_beads(p)
    assert "bad.beads" in str(exc.value) and "line 2" in str(exc.value)


def test_perfect_prediction_scores_one():
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), ())]
    s = score(gold, gold)
    assert (s.precision_strict, s.recall_strict, s.f1_strict, s.f1_lax) == (1.0, 1.0, 1.0, 1.0)


def test_strict_and_lax_by_hand():
    # gold: 0-0, 1,2-1, 3-2 ; pred: 0-0, 1-1, 2-[] (left out), 3-2
    gold = [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,))]
    pred = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), (2,))]
    s = score(gold, pred)
    # precision: pred beads with both sides = 3; exact = 2; lax: [1]:[1] overlaps [1,2]:[1] -> 3
    assert s.precision_strict == pytest.approx(2 / 3)
    assert s.precision_lax == 1.0
    # recall: gold beads = 3; exact = 2; lax: [1,2]:[1] overlaps [1]:[1] -> 3
    assert s.recall_strict == pytest.approx(2 / 3)
    assert s.recall_lax == 1.0
    assert s.f1_strict == pytest.approx(2 / 3)


def test_lax_miss_when_no_overlap():
    gold = [((0,), (0,)), ((1,), (1,))]
    pred = [((0,), (1,)), ((1,), (0,))]  # crossed: overlaps no gold bead on both sides
    s = score(gold, pred)
    assert s.f1_strict == 0.0 and s.f1_lax == 0.0


def test_micro_average_sums_counts_over_files():
    g1, p1 = [((0,), (0,))], [((0,), (0,))]  # 1/1
    g2 = [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    p2 = [((0, 1, 2), (0, 1, 2))]  # 0/1 strict, recall 0/3
    s = score_many([(g1, p1), (g2, p2)])
    assert s.precision_strict == pytest.approx(1 / 2)
    assert s.recall_strict == pytest.approx(1 / 4)
    assert s.files == 2


def test_evaluate_folders(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "pred").mkdir()
    (tmp_path / "gold" / "a").write_text("[0]:[0]\n[1]:[1]\n")
    (tmp_path / "pred" / "a").write_text("[0]:[0]\n[1]:[1]\n")
    (tmp_path / "gold" / "b").write_text("[0,1]:[0]\n")
    (tmp_path / "pred" / "b").write_text("[0]:[0]\n[1]:[]\n")
    total, per = evaluate_paths(tmp_path / "gold", tmp_path / "pred")
    assert per["a"].f1_strict == 1.0 and per["b"].f1_strict == 0.0
    assert total.precision_strict == pytest.approx(2 / 3) and total.recall_strict == pytest.approx(2 / 3)
    (tmp_path / "gold" / "c").write_text("[0]:[0]\n")
    with pytest.raises(InputError, match="no prediction"):
        evaluate_paths(tmp_path / "gold", tmp_path / "pred")

"""split, sentences and the character tests one case at a time: where a piece starts and ends (trimmed,
empty ones dropped, brackets and quotes kept whole, a new line always ending a piece), the thousands
comma, which characters are CJK and which carry content. Texts are written for these tests."""

from __future__ import annotations

import pytest

from reviewer.narrative.text import content_length, halfwidth, is_cjk, sentences, split


def pieces(text: str):
    return [(p.start, p.end, p.text) for p in split(text)]


@pytest.mark.parametrize(
    "text, found",
    [
        ("  完成15期 ， 发表12篇  ", [(2, 7, "完成15期"), (10, 15, "发表12篇")]),  # trimmed both ends
        ("，，。完成", [(3, 5, "完成")]),  # nothing but punctuation is no piece
        ("“甲，乙”丙，丁", [(0, 6, "“甲，乙”丙"), (7, 8, "丁")]),
        ("《甲（乙，丙）丁》，戊", [(0, 9, "《甲（乙，丙）丁》"), (10, 11, "戊")]),  # nested brackets
        ("（甲\n乙，丙", [(0, 2, "（甲"), (3, 4, "乙"), (5, 6, "丙")]),  # a new line ends a piece even in brackets
        ("“甲，乙丙，丁\n戊，己", [(0, 7, "“甲，乙丙，丁"), (8, 9, "戊"), (10, 11, "己")]),  # and closes an unclosed quote
        ("甲）乙，丙", [(0, 3, "甲）乙"), (4, 5, "丙")]),  # a stray closer opens nothing
        ("完成。\n\n发表", [(0, 3, "完成。"), (5, 7, "发表")]),  # 。 stays with its piece
        ("1,500批次，1,5000元，1,50元", [(0, 7, "1,500批次"), (8, 9, "1"), (10, 15, "5000元"), (16, 17, "1"), (18, 21, "50元")]),
        ("a,500,x", [(0, 1, "a"), (2, 5, "500"), (6, 7, "x")]),  # a thousands comma needs a digit before it
        (",500个", [(1, 5, "500个")]),
        (",500个共5", [(1, 7, "500个共5")]),
        ("1,x50元", [(0, 1, "1"), (2, 6, "x50元")]),  # all three after it must be digits  # a comma opening the text has no digit before it, whatever ends the text
    ],
)
def test_pieces(text, found):
    assert pieces(text) == found


def test_sentences_end_at_full_stops_only():
    assert [(p.start, p.end, p.text) for p in sentences("甲，乙。丙！丁?戊\n己")] == [
        (0, 4, "甲，乙。"), (4, 6, "丙！"), (6, 8, "丁?"), (8, 9, "戊"), (10, 11, "己")]


@pytest.mark.parametrize("ch, cjk", [("\u4e00", True), ("\u9fff", True), ("\u4dff", False), ("\ua000", False), ("a", False)])
def test_cjk_range(ch, cjk):
    assert is_cjk(ch) is cjk


def test_halfwidth_covers_the_full_width_ascii_block_exactly():
    assert halfwidth("！～｟１５．３％①") == "!~｟15.3%①"


def test_content_length_skips_spaces_and_punctuation():
    assert content_length("完成 15期，“好”") == 6

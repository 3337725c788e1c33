"""Figures written in Chinese numerals, read as the Arabic ones are (sentences of our own)."""

from __future__ import annotations

import pytest

from reviewer.cn_numerals import chinese_value as cn_to_number
from reviewer.cn_numerals import to_arabic as _to_arabic
from reviewer.narrative.vocabulary import vocabulary


def to_arabic(text: str) -> str:
    return _to_arabic(text, vocabulary().unit_aliases)
from reviewer.narrative.clauses import parse_clauses
from reviewer.narrative.evidence import match_evidence
from reviewer.narrative.figures import find_figures
from reviewer.narrative.text import fold
from reviewer.values import parse_value


@pytest.mark.parametrize("text, value", [
    ("七", 7), ("十", 10), ("十二", 12), ("二十", 20), ("四十三", 43), ("一百零五", 105), ("三百一十二", 312),
    ("二千八百五十九", 2859), ("三万五千", 35000), ("一亿二千万", 120_000_000), ("两千", 2000),
    ("一点五", 1.5), ("二十六点八四", 26.84), ("一点五万", 15000), ("十点零零", 10.0),
])
def test_chinese_numerals_have_their_values(text, value):
    assert cn_to_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["五五", "点五", "万", "", "十百"])
def test_characters_that_form_no_numeral_give_none(text):
    assert cn_to_number(text) is None


def _figures(text: str) -> list[tuple[str, float, str]]:
    return [(f.raw, f.value, f.unit) for f in find_figures(fold(text)) if f.value is not None]


def test_figures_in_chinese_numerals_are_found_with_their_spans():
    text = "全年巡查河道一百二十六公里，发放宣传册三千份，办结率百分之九十七点五。"
    figures = find_figures(fold(text))
    assert [(f.value, f.unit) for f in figures] == [(126, "公里"), (3000, "份"), (97.5, "%")]
    assert [text[f.start:f.end] for f in figures] == ["一百二十六公里", "三千份", "百分之九十七点五"]


def test_one_unit_before_a_limit_word_is_a_figure():
    assert _figures("均在一小时内处置完毕") == [("一小时", 1, "小时")]


def test_arabic_with_a_chinese_multiplier():
    assert _figures("每场平均成本控制在6千元以内") == [("6千元", 6000, "元")]


@pytest.mark.parametrize("text", [
    "实行一次性告知制度", "群众十分满意", "贯彻区六次党代会精神", "召开第三次专题会议", "分两次报送", "组织数十次检查", "最多跑一次改革", "落实“三个一”工作法", "推进一体化办理", "《五年规划》编制完成", "每千元投入", "万元以上",
])
def test_idioms_and_unit_words_are_not_figures(text):
    assert _figures(text) == []


def test_a_completion_in_chinese_numerals_meets_its_target_as_in_arabic():
    target = "全年开展送法进企业活动30场以上"
    for completion in ("全年开展送法进企业活动42场。", "全年开展送法进企业活动四十二场。"):
        (clause,) = match_evidence(parse_clauses(target), completion)
        assert (clause.outcome, clause.found_value) == ("met", 42)
    (short,) = match_evidence(parse_clauses(target), "全年开展送法进企业活动二十六场。")
    assert short.outcome == "not_met"


@pytest.mark.parametrize("cell, value, unit", [
    ("百分之九十二", 92, "%"), ("三十二处", 32, "处"), ("≥百分之九十五", 95, "%"), ("一百一十三点六公里", 113.6, "公里"),
])
def test_a_cell_in_chinese_numerals_is_a_number(cell, value, unit):
    parsed = parse_value(cell)
    assert (parsed.kind, parsed.value, parsed.unit) == ("number", pytest.approx(value), unit)
    assert parsed.raw == cell


def test_to_arabic_leaves_words_alone():
    assert to_arabic("合格") == "合格"
    assert to_arabic("百分之八十") == "80%"

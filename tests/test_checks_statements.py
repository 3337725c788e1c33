"""Parsing money sentences of the narrative: every name of every subject, the figures with their
rounding and sign, the change / rate / share parts, and the sentence a finding will cite.

Hand-written Text only (no files)."""

from __future__ import annotations

import pytest

from reviewer.checks.statements import (
    MAX_CLAUSE_LOOKBACK,
    MAX_SENTENCE_SIDE,
    SUBJECTS,
    narrative_texts,
    parse_report,
    parse_text,
    subject_of,
)
from reviewer.model import Location, QualitativeTarget, Report, Section, TargetRow, Text


def parse(text: str):
    return parse_text(Text(text=text, location=Location(paragraph=2)))


@pytest.mark.parametrize("subject,name", [(s, n) for s, names in SUBJECTS.items() for n in names])
def test_every_name_of_every_subject(subject, name):
    (st,) = parse(f"本年{name}12.34万元。")
    assert (st.subject, st.amount.value) == (subject, 12.34)


def test_quotes_around_a_name_are_ignored():
    assert subject_of("“三公”经费") == "sangong" and subject_of("「公务接待费」") == "reception"
    assert subject_of("本年度开支") is None


def test_the_subject_closest_to_the_figure_wins():
    assert subject_of("基本支出中人员经费") == "personnel"
    assert subject_of("人员经费占基本支出") == "basic"
    assert subject_of("公务用车运行维护费") == "vehicle_running"  # not a shorter name inside it


def test_amount_in_yuan_and_wan_with_rounding():
    (st,) = parse("“三公”经费5,270元。")
    assert (st.amount.value, st.amount.raw, st.amount.half) == (0.527, "5,270元", 0.00005)  # raw as printed
    (st,) = parse("基本支出５１６．１４万元。")  # full-width digits
    assert (st.amount.value, st.amount.raw, st.amount.half) == (516.14, "516.14万元", 0.005)


def test_change_and_rate_with_their_signs():
    (up,) = parse("基本支出516.14万元，比上年增加152.09万元，增长41.78%。")
    assert (up.change.value, up.change.raw, up.change.half) == (152.09, "152.09万元", 0.005)
    assert (up.rate.value, up.rate.raw, up.rate.half) == (41.78, "41.78%", 0.005) and not up.rate_conflict
    (down,) = parse("“三公”经费5270元，较上年减少6828元，下降56.4%。")
    assert (down.change.value, down.rate.value, down.rate.half) == (-0.6828, -56.4, 0.05) and not down.rate_conflict


def test_rate_against_the_change_is_a_conflict():
    (st,) = parse("基本支出516.14万元，比上年增加152.09万元，下降41.78%。")
    assert st.rate_conflict and st.rate.value == -41.78
    (st,) = parse("基本支出516.14万元，比上年减少152.09万元，增长41.78%。")
    assert st.rate_conflict and st.rate.value == 41.78
    (st,) = parse("基本支出516.14万元，比上年增加0万元，下降0%。")
    assert not st.rate_conflict  # no change: no direction to contradict
    (st,) = parse("基本支出516.14万元，增长41.78%。")
    assert st.change is None and not st.rate_conflict


def test_share_of_a_base():
    (st,) = parse("人员经费415.50万元，占基本支出的比重为80.5%。")
    assert (st.share.value, st.share.raw, st.share.half, st.share_base) == (80.5, "80.5%", 0.05, "basic")
    (st,) = parse("人员经费415.50万元。")
    assert st.share is None and st.share_base is None


def test_a_stated_change_is_not_an_amount():
    assert parse("三公经费较上年减少6,828元。") == []
    assert parse("三公经费比上年增加了 6828元。") == []
    assert parse("三公经费节约了6828元。") == []


def test_words_that_narrow_a_subject():
    (st,) = parse("除专项资金以外的其他项目支出为78.83万元。")
    assert st.qualified and st.subject == "project" and st.subject_text == "除专项资金以外的其他项目支出为"
    (st,) = parse("项目支出78.83万元。")
    assert not st.qualified


def test_subject_is_read_within_its_clause():
    assert parse("基本支出情况如下，全年合计516.14万元。") == []  # the subject is in another clause
    far = "基本支出" + "的" * MAX_CLAUSE_LOOKBACK + "516.14万元。"
    assert parse(far) == []
    near = "基本支出" + "的" * (MAX_CLAUSE_LOOKBACK - 4) + "516.14万元。"
    assert [st.subject for st in parse(near)] == ["basic"]


def test_sentence_and_span():
    text = "一、概况。 基本支出516.14万元，占支出合计86.7%；项目支出78.83万元。其余略。"
    basic, project = parse(text)
    assert basic.sentence == "基本支出516.14万元，占支出合计86.7%；" and basic.span == (6, 6 + len(basic.sentence))
    assert project.sentence == "项目支出78.83万元。"
    assert basic.location == Location(paragraph=2, span=basic.span)
    (last,) = parse("末句基本支出516.14万元")  # no sentence end: to the end of the text
    assert last.sentence == "末句基本支出516.14万元"


def test_a_sentence_without_ends_is_cut_around_the_figure():
    pad = "甲" * (MAX_SENTENCE_SIDE + 50)
    (st,) = parse(pad + "，基本支出516.14万元" + pad)
    assert st.sentence.startswith("甲") and len(st.sentence) <= 2 * MAX_SENTENCE_SIDE + len("，基本支出516.14万元")
    assert "基本支出516.14万元" in st.sentence


def test_narrative_texts_in_order_without_blanks():
    overall = Text(text="总体基本支出1万元。")
    qual = QualitativeTarget(expected=Text(text="预期基本支出9万元。"), actual=Text(text="定性基本支出2万元。"))
    target = TargetRow(index=0, category="", kind="", target=Text(text=""), completion=Text(text="完成基本支出3万元。"), location=Location())
    blank = Text(text="  ")
    para = Text(text="段落基本支出4万元。")
    report = Report(source="x.docx", layout="hunan-dept-overall", overall=overall, qualitative=[qual], targets=[target],
                    sections=[Section(number="一", heading="", paragraphs=[blank, para], location=Location())])
    assert narrative_texts(report) == [overall, qual.actual, target.completion, para]
    assert [st.amount.value for st in parse_report(report)] == [1, 2, 3, 4]


# ---------------------------------------------------------------- more edges (from the mutation run)


def test_the_last_mention_of_a_subject_counts():
    assert subject_of("项目支出和基本支出中的项目支出") == "project"


def test_a_verb_then_le_is_a_change_only_for_change_verbs():
    assert [st.subject for st in parse("基本支出完成了516.14万元。")] == ["basic"]
    assert parse("基本支出减少了 516.14万元。") == []


def test_figures_after_a_skipped_one_are_still_read():
    assert [st.subject for st in parse("三公经费较上年减少6,828元，基本支出516.14万元。")] == ["basic"]
    assert [st.subject for st in parse("全年合计5万元，基本支出516.14万元。")] == ["basic"]


def test_no_rate_no_conflict():
    (st,) = parse("人员经费415.50万元。")
    assert st.rate is None and st.change is None and st.rate_conflict is False


def test_a_change_of_exactly_one_unit_can_conflict():
    (st,) = parse("基本支出516.14万元，比上年增加1万元，下降5%。")
    assert st.rate_conflict is True

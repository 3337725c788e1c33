"""Narrative figures: rates from their own amounts, shares from their base, amounts vs the tables."""

from __future__ import annotations

from checks_seed import paragraph, seed_report
from reviewer.checks.narrative import check_narrative
from reviewer.checks.statements import parse_report, parse_text
from reviewer.model import Location, Text


def _check(report):
    return check_narrative(report, parse_report(report))


def _plant(report, number, old, new):
    para = paragraph(report, number, old)
    para.text = para.text.replace(old, new)
    return para


def test_seed_narrative_agrees():
    assert _check(seed_report()) == []


def test_changed_rate_in_a_sentence():
    report = seed_report()
    para = _plant(report, "二", "增长41.78%", "增长42.78%")
    (f,) = _check(report)
    assert (f.code, f.severity) == ("narrative.figure_mismatch", "error")
    assert (f.expected, f.found) == (41.78, 42.78)
    # location: the paragraph, with the span of the quoted sentence
    assert f.location.model_copy(update={"span": None}) == para.location
    start, end = f.location.span
    sentence = para.text[start:end]
    assert sentence.startswith("2021年，区委办基本支出516.14万元") and sentence.endswith("支出变化。")
    assert sentence in f.message
    assert "152.09 ÷ 364.05 = +41.78%" in f.message


def test_changed_decrease_rate():
    report = seed_report()
    _plant(report, "六", "下降56.44%", "下降46.44%")
    (f,) = _check(report)
    assert (f.expected, f.found) == (-56.44, -46.44)
    assert "0.6828 ÷ 1.2098" in f.message


def test_rate_direction_must_match_the_change():
    report = seed_report()
    _plant(report, "二", "增长41.78%", "下降41.78%")
    (f,) = _check(report)
    assert (f.expected, f.found) == (41.78, -41.78)
    assert "相反" not in f.message and "应为增长41.78%" in f.message


def test_changed_share():
    report = seed_report()
    _plant(report, "二", "占基本支出80.5%", "占基本支出85.5%")
    (f,) = _check(report)
    assert (f.expected, f.found) == (80.5, 85.5)
    assert "415.50万元 ÷ 基本支出516.14万元 = 80.5%" in f.message


def test_sangong_amount_disagrees_with_the_table_beyond_rounding():
    report = seed_report()
    # a self-consistent sentence (5828 ÷ 12098 = 48.17%) whose amount is not the table's 0.53万元
    para = _plant(report, "六", "“三公”经费5270元，比上年减少6828元，下降56.44%", "“三公”经费6270元，比上年减少5828元，下降48.17%")
    (f,) = _check(report)
    assert (f.severity, f.expected, f.found) == ("error", 0.53, 0.627)
    assert f.location.paragraph == para.location.paragraph
    assert "6270元" in f.message and "0.53万元" in f.message


def test_yuan_vs_wan_rounding_is_fine():
    report = seed_report()
    # 5349元 prints as 0.53万元; 5360元 would print 0.54万元
    _plant(report, "六", "“三公”经费5270元，比上年减少6828元，下降56.44%", "“三公”经费5349元，比上年减少6749元，下降55.79%")
    assert _check(report) == []
    _plant(report, "六", "“三公”经费5349元，比上年减少6749元，下降55.79%", "“三公”经费5360元，比上年减少6738元，下降55.70%")
    (f,) = _check(report)
    assert (f.expected, f.found) == (0.53, 0.536)


def test_changed_amount_vs_table():
    report = seed_report()
    _plant(report, "二", "基本支出516.14万元，比上年增加152.09万元，增长41.78%", "基本支出526.14万元，比上年增加162.09万元，增长44.53%")
    findings = _check(report)
    (f,) = [f for f in findings if f.found == 526.14]
    assert f.expected == 516.14 and f.severity == "error"
    assert "年度支出和结余情况表" in f.message or "表中" in f.message


def test_narrowed_subject_only_warns():
    report = seed_report()
    _plant(report, "二", "其他项目支出为78.83万元，比上年减少51.57万元，下降39.55%", "其他项目支出为70.00万元，比上年减少60.40万元，下降46.32%")
    (f,) = _check(report)
    assert (f.severity, f.expected, f.found) == ("warning", 78.83, 70.0)


def test_rate_rounding_is_allowed():
    report = seed_report()
    # 152.09 ÷ 364.05 = 41.7772…%: "41.8%" is the same figure with one decimal
    _plant(report, "二", "增长41.78%", "增长41.8%")
    assert _check(report) == []


def test_parser_reads_full_width_and_variant_wording():
    text = Text(text="本年公用经费１００．６４万元，占基本支出的比重为19.5％；三公经费较上年减少6,828元。", location=Location(paragraph=3))
    (public,) = parse_text(text)
    assert (public.subject, public.amount.value, public.share.value, public.share_base) == ("public", 100.64, 19.5, "basic")
    assert public.location == Location(paragraph=3, span=(0, text.text.index("；") + 1))


def test_sentences_without_money_are_ignored():
    text = Text(text="全年发文数同比减少22.22%、会议数同比减少33.33%。全年接待来访360人次。")
    assert parse_text(text) == []

"""The eval matcher on hand-built findings: each rule of the corpus README, and its counter-case."""

from __future__ import annotations

from reviewer.evaluation.gold import Gold, GoldEntry, GoldScore, GoldTarget
from reviewer.evaluation.match import check_scores, entry_matches, score_review
from reviewer.findings import Finding
from reviewer.model import Location, Report, TargetRow, Text
from reviewer.review import Clause, IndicatorResult, Review, TargetVerdict


def finding(code: str, message: str, label: str = "", severity: str = "warning") -> Finding:
    return Finding(code=code, severity=severity, message=message, location=Location(table=1, row=3, label=label))


def test_where_strings_must_all_occur_in_message_or_label():
    f = finding("target.not_met", "目标≥120场，完成38场", label="定量目标 数量指标 完成情况")
    assert entry_matches(GoldEntry(code="target.not_met", where=["数量指标", "38场"]), f)
    # one string missing: no match
    assert not entry_matches(GoldEntry(code="target.not_met", where=["数量指标", "39场"]), f)
    # whitespace is removed on both sides
    assert entry_matches(GoldEntry(code="target.not_met", where=["数量 指标"]), f)


def test_code_must_match_unless_listed_in_also_accept():
    f = finding("score.unsupported", "评分表“财政供养人员控制率”满分缺乏依据")
    plain = GoldEntry(code="score.recomputed_differs", where=["财政供养人员控制率"])
    assert not entry_matches(plain, f)
    accepting = GoldEntry(code="score.recomputed_differs", also_accept=["score.unsupported"], where=["财政供养人员控制率"])
    assert entry_matches(accepting, f)


def test_where_any_is_an_alternative_list():
    f = finding("narrative.figure_mismatch", "三公经费52860万元与表中5.29万元不符")
    entry = GoldEntry(code="narrative.figure_mismatch", where=["52,860万元"], where_any=[["52860"]])
    assert entry_matches(entry, f)
    assert not entry_matches(GoldEntry(code="narrative.figure_mismatch", where=["52,860万元"]), f)


def test_star_code_and_severity_filter():
    err = finding("table.sum_mismatch", "x", severity="error")
    warn = finding("table.sum_mismatch", "x", severity="warning")
    entry = GoldEntry(code="*", severity="error")
    assert entry_matches(entry, err)
    assert not entry_matches(entry, warn)


def _review(findings: list[Finding]) -> Review:
    return Review(report=Report(source="x.docx"), findings=findings)


def test_score_review_counts_caught_violations_and_false_alarms():
    gold = Gold(
        file="x.docx", kind="sloppy",
        expected=[
            GoldEntry(code="target.not_met", where=["数量指标"]),
            GoldEntry(code="completion.copied_across_reports", where=["生态效益"], batch_only=True),
        ],
        acceptable=[GoldEntry(code="completion.vague", where=["质量指标"])],
        must_not=[GoldEntry(code="target.not_met", where=["成本指标"])],
    )
    findings = [
        finding("target.not_met", "数量指标未达到"),
        finding("completion.vague", "质量指标套话"),  # acceptable: not a false alarm
        finding("target.not_met", "成本指标与目标不一致"),  # must_not, and a false alarm
        finding("target.not_met", "成本指标另一条"),  # same must_not entry: still one violation
        finding("score.unverifiable", "无法复核", severity="info"),  # info never counts as a false alarm
    ]
    single = score_review("x.docx", _review(findings), gold, batch=False)
    assert (single.caught, single.expected) == (1, 1)  # the batch_only entry is left out
    assert len(single.must_not_violated) == 1
    assert len(single.must_not_violated[0]["findings"]) == 2
    assert [f.message for f in single.false_alarms] == ["成本指标与目标不一致", "成本指标另一条"]
    batch = score_review("x.docx", _review(findings), gold, batch=True)
    assert (batch.caught, batch.expected) == (1, 2)
    assert batch.missed[0]["code"] == "completion.copied_across_reports"


def test_target_verdicts_pair_by_text_and_map_not_met():
    report = Report(source="x.docx", targets=[
        TargetRow(index=0, category="产出目标", kind="数量指标", target=Text(text="培训200人次以上"), completion=Text(text="培训150人次"), location=Location()),
        TargetRow(index=1, category="产出目标", kind="数量指标", target=Text(text="义诊120场以上"), completion=Text(text="义诊129场"), location=Location()),
    ])
    verdicts = [
        TargetVerdict(target_index=0, by="rules", verdict="not_evidenced", clauses=[Clause(text="培训200人次以上", span=(0, 9), outcome="not_met")]),
        TargetVerdict(target_index=1, by="rules", verdict="evidenced"),
    ]
    gold = Gold(file="x.docx", targets=[
        GoldTarget(indicator="数量指标", target="义诊120场以上", verdict="evidenced"),
        GoldTarget(indicator="数量指标", target="培训200人次以上", verdict="not_met"),
    ])
    result = score_review("x.docx", Review(report=report, verdicts=verdicts), gold, batch=True)
    assert [(t.gold, t.rules) for t in result.targets] == [("evidenced", "evidenced"), ("not_met", "not_met")]
    assert result.rules_agree == (2, 2)
    assert result.llm_agree == (0, 0)  # no LLM verdicts: nothing compared


def test_score_status_agreement_and_verified_value_within_range():
    indicators = [
        IndicatorResult(row_index=0, indicator="政府采购执行率", status="verified", claimed=2.7, recomputed=2.6),
        IndicatorResult(row_index=1, indicator="“三公经费”控制率", status="unverifiable", claimed=6),
        IndicatorResult(row_index=2, indicator="资产管理安全性", status="wrong", claimed=5, recomputed=4),
        IndicatorResult(row_index=3, indicator="财政供养人员控制率", status="verified", claimed=5, recomputed=5),
    ]
    gold = [
        GoldScore(indicator="政府采购执行率", status="verified", recomputed=2.7, range=(2.6, 2.7)),
        GoldScore(indicator="三公经费控制率", status="verified", recomputed=6.0),
        GoldScore(indicator="资产管理安全性", status="contradicted", recomputed=4),
        GoldScore(indicator="财政供养人员控制率", status="verified", recomputed=2.09),
    ]
    checks = check_scores(Review(report=Report(source="x"), indicators=indicators), gold)
    assert [c.agree for c in checks] == [True, False, True, True]
    assert [c.value_ok for c in checks] == [True, False, None, False]

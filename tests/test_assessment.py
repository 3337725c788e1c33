"""The row assessment: one place where the rules' judgements, their confidence and the model's
checked evidence are weighed.

The model's side in these tests is CONSTRUCTED: a hand-made RowJudgement (what a model would answer)
put through the judge's own `assess` — quote verification, downgrades — exactly as a live answer
would be. No HTTP, no recording: these test the combiner's logic, not a model.
"""

from __future__ import annotations

import pytest

from reviewer.assessment import apply_status_rules, assess, assess_row, weakness
from reviewer.narrative.evidence import judge_from_quotes
from reviewer.findings import Finding
from reviewer.llm.judge import assess as judge_answer
from reviewer.llm.redact import Redactor
from reviewer.llm.schema import ClauseJudgement, RowJudgement
from reviewer.memo.department import is_internal
from reviewer.model import Location, Report, TargetRow, Text
from reviewer.narrative.clauses import parse_clauses
from reviewer.narrative.evidence import match_evidence
from reviewer.review import IndicatorResult, TargetVerdict

WORDING = __import__("yaml").safe_load(
    (__import__("pathlib").Path(__file__).resolve().parent.parent / "reviewer" / "memo" / "templates" / "wording.yaml").read_text(encoding="utf-8"))


def row(target: str, completion: str, kind: str = "数量指标", index: int = 0) -> TargetRow:
    r = 10 + index
    return TargetRow(
        index=index, category="产出目标", kind=kind,
        target=Text(text=target, location=Location(table=0, row=r, col=2, label=f"定量目标 {kind} 绩效目标")),
        completion=Text(text=completion, location=Location(table=0, row=r, col=3, label=f"定量目标 {kind} 完成情况")),
        location=Location(table=0, row=r),
    )


def rule_verdict(r: TargetRow, outcome: str, confidence: str = "high", found: float | None = None) -> TargetVerdict:
    """The rules' reading of the row's only clause, as given (a misreading, when the test says so)."""
    (clause,) = [c for c in parse_clauses(r.target.text) if c.value is not None]
    clause = clause.model_copy(update={"outcome": outcome, "confidence": confidence, "found_value": found,
                                       "note": "测试用的规则读法。", "evidence": r.completion.text[:8],
                                       "evidence_span": (0, 8)})
    return TargetVerdict(target_index=r.index, by="rules", verdict="evidenced" if outcome == "met" else "not_evidenced",
                         clauses=[clause], confidence=confidence)


def model_says(r: TargetRow, rule: TargetVerdict, verdict: str, quotes: list[str]) -> tuple[TargetVerdict, list[Finding]]:
    """A constructed model answer for the row's clause, verified by the judge's own code."""
    answer = RowJudgement(
        clauses=[ClauseJudgement(id=1, clause=rule.clauses[0].text, verdict=verdict, quotes=quotes, reason="构造的回答")],
        vague=False, follow_up="",
    )
    return judge_answer(r, answer, rule, Redactor(enabled=False), sent=rule.clauses)


# ---------------------------------------------------------------- the model's quotes, read by the rules


def test_a_quote_whose_figure_meets_the_target_is_met_by_the_rules_matcher():
    r = row("全年开展消防安全培训80人次以上", "抽调5个科室骨干，全年开展消防安全培训96人次。")
    (clause,) = parse_clauses(r.target.text)
    read = judge_from_quotes(clause, ["全年开展消防安全培训96人次"], r.completion.text)
    assert read.outcome == "met" and read.found_value == 96
    assert read.evidence_span is not None and r.completion.text[slice(*read.evidence_span)].find("96") >= 0


def test_a_quote_without_a_figure_cannot_evidence_a_quantity():
    r = row("全年编印工作简报12期以上", "认真做好了简报的编辑印发工作，得到领导肯定。")
    (clause,) = parse_clauses(r.target.text)
    read = judge_from_quotes(clause, ["认真做好了简报的编辑印发工作"], r.completion.text)
    assert read.outcome != "met"


# ---------------------------------------------------------------- one row


def test_model_quote_settles_a_rule_misreading_and_no_disagreement_is_left():
    r = row("为辖区小微企业开展信用修复指导80户次以上", "抽调5个业务科室，为辖区小微企业开展信用修复指导96户次。")
    rule = rule_verdict(r, "not_met", "high", found=5)  # the misreading: 5个 taken for the count
    model, model_findings = model_says(r, rule, "evidenced", ["为辖区小微企业开展信用修复指导96户次"])
    a = assess_row(r, rule, model)
    assert a.clauses[0].outcome == "met" and a.settled == [0] and a.disputed == []
    codes = [f.code for f in a.findings]
    assert "target.not_met" not in codes and codes == ["llm.settles_rules"]
    note = a.findings[0]
    assert is_internal(note, WORDING) and note.severity == "info"
    assert "规则读取有误，按模型引文核定" in note.message and "96户次" in note.message
    report = Report(source="t", targets=[r])
    out = assess(report, [], [], [rule], [], [model], model_findings)
    assert not [f for f in out.findings if f.code in ("target.not_met", "llm.disagrees_with_rules")]
    assert out.verdicts[0].verdict == "evidenced"


def test_a_model_claiming_a_figureless_sentence_evidences_a_count_does_not_settle_it():
    r = row("全年编印工作简报12期以上", "认真做好了简报的编辑印发工作，得到领导肯定。")
    (clause,) = match_evidence(parse_clauses(r.target.text), r.completion.text)
    rule = TargetVerdict(target_index=0, by="rules", verdict="not_evidenced", clauses=[clause])
    model, _ = model_says(r, rule, "evidenced", ["认真做好了简报的编辑印发工作"])
    a = assess_row(r, rule, model)
    assert a.clauses[0].outcome in ("not_reported", "approximate") and a.settled == []
    assert [f.code for f in a.findings] == ["target.not_evidenced"]
    assert not is_internal(a.findings[0], WORDING)


def test_both_confident_and_unsettled_is_a_dispute_for_a_person():
    r = row("全年处理群众来信200件以上", "全年处理群众来信150件，另接待来访240人次。")
    rule = rule_verdict(r, "not_met", "high", found=150)
    # a figure in another unit is no confident claim: the judge itself downgrades it, nothing to dispute
    unsure, _ = model_says(r, rule, "evidenced", ["另接待来访240人次"])
    assert assess_row(r, rule, unsure).disputed == []
    # the model insists the 150件 meets 200件以上: the rules' matcher reads the quote as not met
    model, model_findings = model_says(r, rule, "evidenced", ["全年处理群众来信150件"])
    a = assess_row(r, rule, model)
    assert a.disputed == [0] and a.clauses[0].outcome == "not_met"
    report = Report(source="t", targets=[r])
    out = assess(report, [], [], [rule], [], [model], model_findings)
    codes = [f.code for f in out.findings]
    assert "target.not_met" in codes and "llm.disagrees_with_rules" in codes


@pytest.mark.parametrize("confidence, expect", [("high", "warning"), ("medium", "info"), ("low", None)])
def test_what_a_rule_negative_becomes_by_its_confidence_without_a_model(confidence, expect):
    r = row("全年处理群众来信200件以上", "全年处理群众来信150件。")
    rule = rule_verdict(r, "not_met", confidence, found=150)
    a = assess_row(r, rule, None)
    if expect is None:
        assert a.findings == [] and a.clauses[0].outcome == "abstain"
        assert a.verdict.verdict == "not_checked"
    else:
        (f,) = a.findings
        assert f.code == "target.not_met" and f.severity == expect
        assert is_internal(f, WORDING) == (confidence != "high")


# ---------------------------------------------------------------- score rows


def _verdict_with(outcome: str, confidence: str, flags=()) -> TargetVerdict:
    r = row("全年处理群众来信200件以上", "全年处理群众来信150件。")
    v = rule_verdict(r, outcome, confidence)
    return v.model_copy(update={"flags": list(flags), "verdict": "not_evidenced" if outcome != "met" else "evidenced"})


def test_score_unsupported_follows_only_from_absent_evidence():
    assert weakness(_verdict_with("not_reported", "high")) is not None
    assert weakness(_verdict_with("abstain", "high")) is None
    assert weakness(_verdict_with("not_met", "low")) is None
    assert weakness(_verdict_with("met", "high")) is None
    assert weakness(_verdict_with("met", "high", ["completion.vague"])) == "完成情况未提供证据"


def test_status_rules_from_the_table_exceeding_points_is_wrong_at_the_cap(seed_report):
    rows = seed_report.score_table.rows
    target = next(r for r in rows if r.points.known and r.self_score.known)
    ind = IndicatorResult(row_index=target.index, indicator=target.level3, status="verified", location=target.location)
    over = Finding(code="score.exceeds_max", severity="error", message="x", location=target.self_score.location)
    (moved,) = apply_status_rules([ind], [over], seed_report)
    assert moved.status == "wrong" and moved.recomputed == target.points.value
    unsupported = Finding(code="score.unsupported", severity="warning", message="x", location=target.self_score.location)
    (doubted,) = apply_status_rules([ind], [unsupported], seed_report)
    assert doubted.status == "doubtful"
    (untouched,) = apply_status_rules([ind.model_copy(update={"status": "wrong"})], [unsupported], seed_report)
    assert untouched.status == "wrong"


def test_each_national_indicator_row_is_judged_once(monkeypatch):
    """The checks and the rule verdicts share one judgement of each indicator row."""
    from pathlib import Path

    import reviewer.checks.indicators as indicators
    from reviewer.ingest import load_report
    from reviewer.pipeline import Options, review_report

    calls: list[int] = []
    real = indicators._check_row

    def counting(row, rubric):
        calls.append(row.index)
        return real(row, rubric)

    monkeypatch.setattr(indicators, "_check_row", counting)
    corpus = Path(__file__).resolve().parent.parent / "examples" / "corpus"
    report = load_report(corpus / "mof-2022-langxi-equipment-sloppy.docx")
    review = review_report(report, Options(llm_enabled=False))
    assert sorted(calls) == sorted(r.index for r in report.indicators)
    assert len([v for v in review.verdicts if v.by == "rules"]) == len(report.targets)


# ---------------------------------------------------------------- corpus rows with a constructed model

CORPUS = __import__("pathlib").Path(__file__).resolve().parent.parent / "examples" / "corpus"

# (report, target row, clause index → the quotes a capable model gives for it). CONSTRUCTED answers:
# they stand for what a good model quotes; nothing here was recorded from one.
GOOD_ANSWERS = [
    ("hunan-2023-yueyangxian-sfj-careful", 3, {1: ["平均每件658元"]}),
    ("hunan-2023-yueyangxian-sfj-careful", 5, {1: ["开展“法治体检”128家次"]}),
    ("hunan-2023-yueyangxian-sfj-careful", 0, {1: ["受理法律援助案件412件", "按期结案407件"]}),
    ("hunan-2023-yueyangxian-sfj-careful", 6, {1: ["下降18.18%"]}),
    ("hunan-2024-quyuan-yjj-mixed", 4, {0: ["死亡2人", "2023年全区生产安全事故死亡3人"]}),
    ("hunan-2021-yueyanglou-zfb-careful", 1, {1: ["合计137场"]}),
    ("hunan-2021-yueyanglou-zfb-sloppy", 5, {1: ["《督查通报》每月出1期"]}),
]


@pytest.fixture(scope="module")
def corpus_reviews():
    from reviewer.ingest import load_report
    from reviewer.pipeline import Options, review_report

    cache = {}

    def get(name):
        if name not in cache:
            report = load_report(CORPUS / f"{name}.docx")
            cache[name] = (report, review_report(report, Options(llm_enabled=False)))
        return cache[name]
    return get


@pytest.mark.parametrize("name, index, quotes", GOOD_ANSWERS, ids=[f"{n[6:20]}-{i}" for n, i, _ in GOOD_ANSWERS])
def test_a_good_model_quoting_the_figures_leaves_nothing_against_the_row(corpus_reviews, name, index, quotes):
    report, review = corpus_reviews(name)
    r = report.targets[index]
    rule = next(v for v in review.verdicts if v.by == "rules" and v.target_index == index)
    answer = RowJudgement(
        clauses=[ClauseJudgement(id=i + 1, clause=c.text, verdict="evidenced" if i in quotes or c.outcome == "met" else "not_applicable",
                                 quotes=quotes.get(i, []), reason="构造的回答") for i, c in enumerate(rule.clauses)],
        vague=False, follow_up="",
    )
    model, model_findings = judge_answer(r, answer, rule, Redactor(enabled=False), sent=rule.clauses)
    a = assess_row(r, rule, model)
    for i in quotes:
        assert a.clauses[i].outcome == "met", (i, a.clauses[i].note)
    out = assess(report, [], [], [rule], [], [model], model_findings)
    on_row = [f for f in out.findings if (f.location.table, f.location.row) == (r.completion.location.table, r.completion.location.row)]
    assert not [f for f in on_row if not is_internal(f, WORDING) and f.code.startswith("target.")]
    assert not [f for f in on_row if f.code == "llm.disagrees_with_rules"]


def test_a_model_claiming_stock_words_evidence_a_count_leaves_it_unevidenced():
    """'做好了编辑工作' for '15期以上' (constructed answer): no figure, no evidence."""
    r = row("全年编辑《工作动态》15期以上", "认真做好了《工作动态》的编辑工作，内容丰富，得到好评。")
    (clause,) = match_evidence(parse_clauses(r.target.text), r.completion.text)
    rule = TargetVerdict(target_index=0, by="rules", verdict="not_evidenced", clauses=[clause])
    model, model_findings = model_says(r, rule, "evidenced", ["认真做好了《工作动态》的编辑工作"])
    out = assess(Report(source="t", targets=[r]), [], [], [rule], [], [model], model_findings)
    assert out.verdicts[0].verdict == "not_evidenced"
    assert [f.code for f in out.findings if f.code.startswith("target.")] == ["target.not_evidenced"]


def test_a_note_the_rules_are_unsure_of_is_shown_to_the_reviewer_as_such_and_never_sent(corpus_reviews):
    """A medium-confidence reading on a careful form: in the reviewer's memo under 仅供审核人员参考,
    labelled 待核实; not in the 反馈函's problems."""
    from reviewer.memo import render

    _, review = corpus_reviews("mof-2022-huoshan-water-careful")
    notes = [f for f in review.findings if f.audience == "reviewer"]
    assert notes and all(f.severity == "info" and f.confidence == "medium" for f in notes)
    md = render(review, "md")
    internal = md[md.index("仅供审核人员参考（不发部门）"):]
    assert all(f.id in internal for f in notes)
    assert "**待核实**" in internal
    problems = md[md.index("需要部门补充说明的问题"):md.index("仅供审核人员参考（不发部门）")]
    assert not any(f.id in problems for f in notes)

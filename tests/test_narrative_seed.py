"""review_narrative on the seed report (hand-built from the seed's texts, no ingest)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import narrative_seed
from narrative_seed import KINDS, ROWS, report_with, seed_report
from reviewer.findings import CODES
from reviewer.narrative import review_narrative
from reviewer.narrative.clauses import is_measurable


@pytest.fixture(scope="module")
def reviewed():
    report = seed_report()
    verdicts, findings = review_narrative(report)
    return report, verdicts, findings


def row_findings(report, findings, kind):
    row = report.targets[KINDS.index(kind)]
    return [f for f in findings if f.location.row == row.location.row and f.location.table == row.location.table]


def test_one_rules_verdict_per_target_row(reviewed):
    report, verdicts, _ = reviewed
    assert [v.target_index for v in verdicts] == [t.index for t in report.targets]
    assert all(v.by == "rules" for v in verdicts)


def test_quantity_clauses_are_not_reported(reviewed):
    report, verdicts, findings = reviewed
    verdict = verdicts[KINDS.index("数量指标")]
    journals, articles = [c for c in verdict.clauses if is_measurable(c)]
    assert (journals.value, journals.unit, articles.value, articles.unit) == (15, "期", 10, "篇")
    # approximate counts as not reported: neither clause has a figure that answers it
    assert journals.outcome == "not_reported"
    assert articles.outcome in ("not_reported", "approximate")
    assert articles.outcome == "approximate"  # "一批文稿被《湖南日报》《岳阳日报》采用"
    assert "100多篇" in articles.note and "约数" in articles.note and "起草" in articles.note
    assert verdict.verdict == "not_evidenced"
    not_evidenced = [f for f in row_findings(report, findings, "数量指标") if f.code == "target.not_evidenced"]
    assert len(not_evidenced) == 2
    assert "15期以上" in not_evidenced[0].message and "期数" in not_evidenced[0].message
    assert "10篇以上" in not_evidenced[1].message and "100多篇" in not_evidenced[1].message
    completion = report.targets[KINDS.index("数量指标")].completion.text
    for f in not_evidenced:
        start, end = f.location.span
        assert completion[start:end]  # cites the words it relied on


def test_cost_completion_is_vague_and_restates_its_target(reviewed):
    report, verdicts, findings = reviewed
    found = {f.code: f for f in row_findings(report, findings, "成本指标")}
    assert "completion.vague" in found and "completion.restates_target" in found
    assert "按预算合理开支" in found["completion.restates_target"].message
    assert verdicts[KINDS.index("成本指标")].verdict == "not_evidenced"


def test_quality_completion_is_copied_from_the_overall_paragraph(reviewed):
    report, _, findings = reviewed
    (copied,) = [f for f in row_findings(report, findings, "质量指标") if f.code == "completion.copied"]
    assert "总体运行情况" in copied.message
    start, end = copied.location.span
    quoted = report.targets[KINDS.index("质量指标")].completion.text[start:end]
    assert len(quoted) > 50 and quoted in report.overall.text


def test_timeliness_target_is_not_measurable(reviewed):
    report, verdicts, findings = reviewed
    (f,) = [f for f in row_findings(report, findings, "时效指标") if f.code == "target.not_measurable"]
    assert f.location == report.targets[KINDS.index("时效指标")].target.location
    assert "办文办会及时高效" in f.message and "及时" in f.message
    assert verdicts[KINDS.index("时效指标")].verdict == "not_checked"


def test_full_marks_resting_on_unevidenced_targets_are_unsupported(reviewed):
    report, _, findings = reviewed
    unsupported = [f for f in findings if f.code == "score.unsupported"]
    by_row = {f.location.row: f for f in unsupported}
    rows = {r.level3: r for r in report.score_table.rows}
    output = by_row[rows["推进全面小康建设指标任务完成情况"].self_score.location.row]
    assert "数量指标" in output.message and "时效指标" in output.message
    benefit = by_row[rows["经济效益"].self_score.location.row]  # one merged cell for the three 效益 rows
    assert all(k in benefit.message for k in ("经济效益", "社会效益", "生态效益"))
    assert rows["社会效益"].self_score.location.row not in by_row
    assert rows["社会公众或服务对象满意度"].self_score.location.row in by_row
    # 投入/过程 rows are not resting on 定量目标 rows
    assert not any(r.level1.startswith(("投入", "过程")) and r.self_score.location.row in by_row
                   for r in report.score_table.rows)


def test_full_marks_on_evidenced_targets_are_not_flagged():
    rows = [
        ("产出目标", "数量指标", "编印内刊15期以上", "全年编印内刊18期，每期印发200份。"),
        ("效益目标", "社会公众或服务对象满意度", "服务对象满意度达到95%以上", "经问卷调查，服务对象满意度为97.5%。"),
    ]
    _, findings = review_narrative(report_with(rows))
    unsupported = [f for f in findings if f.code == "score.unsupported"]
    assert not any("满意度" in f.message for f in unsupported)
    assert not any("推进全面小康" in f.message for f in unsupported)
    # the 效益 rows have no 定量目标 here: full marks with nothing to rest on
    assert any("经济效益" in f.message and "没有" in f.message for f in unsupported)


def test_less_than_full_marks_is_not_unsupported():
    report = seed_report()
    row = next(r for r in report.score_table.rows if r.level3 == "社会公众或服务对象满意度")
    row.self_score = row.self_score.model_copy(update={"value": 3.0, "raw": "3"})
    _, findings = review_narrative(report)
    assert not any(f.code == "score.unsupported" and f.location.row == row.self_score.location.row for f in findings)


def test_every_finding_is_a_pasteable_rules_warning_with_a_location(reviewed):
    report, _, findings = reviewed
    texts = {(t.location.table, t.location.row, t.location.col): t.text
             for row in report.targets for t in (row.target, row.completion)}
    for f in findings:
        assert f.code in CODES and f.source == "rules" and f.severity == "warning"
        assert any("\u4e00" <= c <= "\u9fff" for c in f.message)
        assert f.location.table is not None and f.location.row is not None
        if f.location.span is not None:
            text = texts[(f.location.table, f.location.row, f.location.col)]
            start, end = f.location.span
            assert 0 <= start < end <= len(text)


def test_verdict_flags_match_the_findings_on_that_row(reviewed):
    report, verdicts, findings = reviewed
    for verdict, row in zip(verdicts, report.targets):
        codes = {
            f.code for f in findings
            if row.location.row in {loc.row for loc in (f.location, *f.also)} and f.code != "score.unsupported"
        }
        assert set(verdict.flags) == codes


def test_narrative_package_keeps_off_llm_ingest_memo_and_cli():
    code = ("import sys, reviewer.narrative; "
            "print(sorted(m for m in sys.modules if m.startswith(('reviewer.llm', 'reviewer.ingest', 'reviewer.memo', 'reviewer.cli'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=narrative_seed.__file__.rsplit("/tests/", 1)[0])
    assert out.stdout.strip() == "[]"


def test_pasted_in_documents_do_not_stall_the_rules():
    # every row's cells 50-200 times the seed's: only the start of a cell is read, and the memo
    # says so (scripts/benchmark prints how long such a report takes)
    rows = [(cat, kind, target * 50, completion * 200) for cat, kind, target, completion in ROWS]
    verdicts, _ = review_narrative(report_with(rows))
    assert "只读了前" in verdicts[KINDS.index("数量指标")].reason


def test_one_cause_one_finding_for_scores_and_copies(reviewed):
    report, _, findings = reviewed
    unsupported = [f for f in findings if f.code == "score.unsupported"]
    # the six 产出 rows rest on the same weak targets: one finding naming all six, not six findings
    grouped = [f for f in unsupported if f.also]
    assert len(grouped) == 1 and len(grouped[0].also) == 5
    assert all(name in grouped[0].message for name in ("推进全面小康", "新增极", "民生实事", "其他工作实绩"))
    rows = {loc.row for loc in (grouped[0].location, *grouped[0].also)}
    assert len(rows) == 6
    # completions copied from the same field: one finding naming each row copied
    copies = [f for f in findings if f.code == "completion.copied" and f.also]
    assert len(copies) == 1
    assert copies[0].message.count("指标") >= 2 and "均与" in copies[0].message


def test_rows_the_rubric_rescored_are_not_asked_for_target_support():
    report = seed_report()
    satisfaction = next(r.index for r in report.score_table.rows if "满意度" in r.level3)
    _, findings = review_narrative(report)
    assert any(f.code == "score.unsupported" and "满意度" in f.message for f in findings)
    _, findings = review_narrative(report, rescored=frozenset({satisfaction}))
    assert not any(f.code == "score.unsupported" and "满意度" in f.message for f in findings)


def test_full_marks_carried_by_met_targets_are_supported():
    from reviewer.narrative import target_supported_rows

    good = [(cat, kind, "开展专题培训3次以上", "全年开展专题培训5次。") for cat, kind, _, _ in ROWS]
    report = report_with(good)
    verdicts, _ = review_narrative(report)
    supported = target_supported_rows(report, verdicts)
    rows = {r.index: r for r in report.score_table.rows}
    assert supported and all("产出" in rows[i].level1 or rows[i].level3 for i in supported)
    output_rows = [r.index for r in report.score_table.rows if "产出" in r.level1 and r.self_score.known
                   and r.points.known and r.self_score.value >= r.points.value]
    assert set(output_rows) <= set(supported)
    # one target short of its figure: none of the 产出 rows is carried any more
    short = list(good)
    short[1] = (short[1][0], short[1][1], "开展专题培训3次以上", "全年开展专题培训2次。")
    report = report_with(short)
    verdicts, _ = review_narrative(report)
    assert not set(output_rows) & set(target_supported_rows(report, verdicts))

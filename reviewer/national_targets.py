"""National 自评表 rows, presented to the narrative rules the way they already take targets.

`report.targets` of a national form holds the 年度主要任务 / 年度总体目标 pairs and one row per
绩效指标 (target = 年度指标值, completion = 实际完成值). The sentence rules read the pairs, which
are prose; an indicator row is a pair of figures, judged from its parsed cells by
`reviewer.checks.indicators` (the sentence rules would look for its subject's words in a bare
"104场"). The LLM judge takes every row. Pure functions of (report, rubric).
"""

from __future__ import annotations

from reviewer.checks.indicators import indicator_verdicts
from reviewer.findings import Finding
from reviewer.indicator_rubric import IndicatorRubric
from reviewer.model import Report
from reviewer.narrative import review_narrative
from reviewer.review import TargetVerdict

# A 年度总体目标 or a 年度主要任务's 主要内容 describes work; its measures are the 绩效指标 rows, so it
# is not asked to be measurable itself.
NOT_ASKED_OF_TASKS = {"target.not_measurable"}


def narrative_rules(
    report: Report, rubric: IndicatorRubric | None, rescored: frozenset[int] = frozenset(),
    indicator_rows: list[TargetVerdict] | None = None,
) -> tuple[list[TargetVerdict], list[Finding]]:
    """`review_narrative` for any layout (`rescored`: 评分表 rows the rubric re-scored, as it takes them;
    `indicator_rows`: the indicator rows' verdicts when the checks already judged them, so no row is
    judged twice)."""
    if rubric is None or not any(t.indicator is not None for t in report.targets):
        return review_narrative(report, rescored)
    prose = [t for t in report.targets if t.indicator is None]
    verdicts, findings = review_narrative(report.model_copy(update={"targets": prose}), rescored)
    # the 年度总体目标 and each 年度主要任务 are said in words; their measures are the 绩效指标 rows
    tasks = {(g.expected.location.table, g.expected.location.row) for g in report.goals}
    findings = [
        f for f in findings
        if not (f.code in NOT_ASKED_OF_TASKS and (f.location.table, f.location.row) in tasks)
    ]
    rows = indicator_rows if indicator_rows is not None else indicator_verdicts(report, rubric)
    return verdicts + rows, findings

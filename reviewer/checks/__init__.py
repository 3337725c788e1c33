"""Deterministic review: arithmetic of the money tables and the 评分表, re-scoring from the
report's own figures, and the figures in the narrative. Pure functions of (report, rubric).

    from reviewer.checks import run_checks
    findings, indicators = run_checks(report, rubric)
    findings, indicators = run_checks(report, rubric, indicator_rubric)   # national 自评表 layouts

Never imports reviewer.llm / ingest / memo / cli: everything here runs on a hand-built Report.
"""

from __future__ import annotations

from reviewer.checks.data import ReportData
from reviewer.checks.indicators import check_indicators
from reviewer.checks.money import check_money_tables
from reviewer.checks.narrative import check_narrative
from reviewer.checks.rescore import rescore
from reviewer.checks.scores import check_score_table
from reviewer.checks.statements import parse_report
from reviewer.findings import Finding
from reviewer.indicator_rubric import IndicatorRubric
from reviewer.model import Report
from reviewer.review import IndicatorResult, TargetVerdict
from reviewer.rubric import Rubric

__all__ = ["run_checks"]


def run_checks(
    report: Report, rubric: Rubric, indicator_rubric: IndicatorRubric | None = None,
    indicator_verdicts: list[TargetVerdict] | None = None,
) -> tuple[list[Finding], list[IndicatorResult]]:
    """`rubric` scores the Hunan 评分表; `indicator_rubric` the indicator rows and funding block of
    a national form (the pipeline picks it from the report's layout). Each applies only to the
    parts the report has. `indicator_verdicts`, when given, receives the rule verdict of each
    indicator row from the same pass (each row is judged once)."""
    statements = parse_report(report)  # parsed once: the narrative check and the re-scoring share them
    findings = check_money_tables(report)
    findings += check_score_table(report, rubric)
    rescored, indicators = rescore(report, rubric, ReportData(report, statements, rubric.facts))
    findings += rescored
    findings += check_narrative(report, statements)
    if indicator_rubric is not None and (report.indicators or report.funding is not None):
        national, results = check_indicators(report, indicator_rubric, indicator_verdicts)
        findings += national
        indicators += results
    return findings, indicators

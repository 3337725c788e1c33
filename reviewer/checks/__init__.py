"""Deterministic review: arithmetic of the money tables and the 评分表, re-scoring from the
report's own figures, and the figures in the narrative. Pure functions of (report, rubric).

    from reviewer.checks import run_checks
    findings, indicators = run_checks(report, rubric)

Never imports reviewer.llm / ingest / memo / cli: everything here runs on a hand-built Report.
"""

from __future__ import annotations

from reviewer.checks.data import ReportData
from reviewer.checks.money import check_money_tables
from reviewer.checks.narrative import check_narrative
from reviewer.checks.rescore import rescore
from reviewer.checks.scores import check_score_table
from reviewer.checks.statements import parse_report
from reviewer.findings import Finding
from reviewer.model import Report
from reviewer.review import IndicatorResult
from reviewer.rubric import Rubric

__all__ = ["run_checks"]


def run_checks(report: Report, rubric: Rubric) -> tuple[list[Finding], list[IndicatorResult]]:
    statements = parse_report(report)  # parsed once: the narrative check and the re-scoring share them
    findings = check_money_tables(report)
    findings += check_score_table(report, rubric)
    rescored, indicators = rescore(report, rubric, ReportData(report, statements, rubric.facts))
    findings += rescored
    findings += check_narrative(report, statements)
    return findings, indicators

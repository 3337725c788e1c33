"""Narrative review without an LLM: rules that read each 定量目标 row's target and completion.

    from reviewer.narrative import review_narrative
    verdicts, findings = review_narrative(report)

Pure functions of a Report (the only file read is the word lists in reviewer/data). Never imports
reviewer.llm / ingest / memo / cli. The LLM layer may reuse `parse_clauses` and `match_evidence`.
"""

from __future__ import annotations

from reviewer.findings import Finding
from reviewer.model import Report, TargetRow
from reviewer.narrative.answers import CopyIndex, OtherField
from reviewer.narrative.clauses import parse_clauses
from reviewer.narrative.evidence import match_evidence
from reviewer.narrative.scores import unsupported_scores
from reviewer.narrative.verdicts import review_row
from reviewer.review import TargetVerdict

__all__ = ["review_narrative", "parse_clauses", "match_evidence", "other_fields"]

OVERALL_NAME = "年度总体运行情况及取得的成绩"


def other_fields(report: Report, row: TargetRow) -> list[OtherField]:
    """The fields a completion might have been copied from."""
    fields = [OtherField(f"{t.kind}的完成情况", t.completion) for t in report.targets if t.index != row.index]
    return fields + _non_target_fields(report)


def _non_target_fields(report: Report) -> list[OtherField]:
    fields = [OtherField(OVERALL_NAME, report.overall)]
    many = len(report.qualitative) > 1
    for i, q in enumerate(report.qualitative):
        fields.append(OtherField(f"定性目标{i + 1 if many else ''}的实际完成", q.actual))
    return fields


def review_narrative(report: Report) -> tuple[list[TargetVerdict], list[Finding]]:
    verdicts: list[TargetVerdict] = []
    findings: list[Finding] = []
    # Every field a completion may be copied from, indexed once for all rows (each row skips its own).
    index = CopyIndex([OtherField(f"{t.kind}的完成情况", t.completion) for t in report.targets] + _non_target_fields(report))
    for row in report.targets:
        verdict, row_findings = review_row(row, index)
        verdicts.append(verdict)
        findings += row_findings
    findings += unsupported_scores(report, verdicts)
    return verdicts, findings

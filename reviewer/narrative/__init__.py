"""Narrative review without an LLM: rules that read each 定量目标 row's target and completion.

    from reviewer.narrative import review_narrative
    verdicts, findings = review_narrative(report)

Pure functions of a Report (the only file read is the word lists in reviewer/data). Never imports
reviewer.llm / ingest / memo / cli. The LLM layer may reuse `parse_clauses` and `match_evidence`.
"""

from __future__ import annotations

import re

from reviewer.findings import Finding
from reviewer.model import Report, TargetRow
from reviewer.narrative.answers import CopyIndex, OtherField
from reviewer.narrative.clauses import parse_clauses
from reviewer.narrative.evidence import match_evidence
from reviewer.narrative.scores import target_supported_rows, unsupported_scores
from reviewer.narrative.verdicts import review_row
from reviewer.review import TargetVerdict

__all__ = ["review_narrative", "parse_clauses", "match_evidence", "other_fields", "target_supported_rows"]

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


COPIED_FROM = re.compile(r"完成情况与(.+?)基本相同")


def one_copy_finding(findings: list[Finding], report: Report) -> list[Finding]:
    """Rows whose completions copy the same field are one cause: one finding naming every row (the
    first as its location, the others in `also`), in place of the first of them."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        if f.code == "completion.copied" and f.expected:
            groups.setdefault(str(f.expected), []).append(f)
    merged: dict[int, Finding | None] = {}
    kind_of = {r.completion.location.row: r.kind for r in report.targets}
    for same in groups.values():
        if len(same) < 2:
            continue
        source = COPIED_FROM.search(same[0].message)
        kinds = "、".join(f"“{kind_of.get(f.location.row, '')}”" for f in same)
        merged[id(same[0])] = same[0].model_copy(update={
            "location": same[0].location,
            "also": [f.location for f in same[1:]],
            "message": f"{kinds}{len(same)}项指标的完成情况均与{source.group(1) if source else same[0].expected}基本相同，"
                       f"不是针对各指标填写的完成情况。",
            "found": "；".join(str(f.found)[:40] for f in same),
        })
        for f in same[1:]:
            merged[id(f)] = None
    out = []
    for f in findings:
        if id(f) in merged:
            if merged[id(f)] is not None:
                out.append(merged[id(f)])
        else:
            out.append(f)
    return out


def review_narrative(report: Report, rescored: frozenset[int] = frozenset()) -> tuple[list[TargetVerdict], list[Finding]]:
    """`rescored`: 评分表 rows (ScoreRow.index) the rubric recomputed from the report's figures; their
    score stands or falls by that arithmetic, so the targets are not asked to support it too."""
    verdicts: list[TargetVerdict] = []
    findings: list[Finding] = []
    # Every field a completion may be copied from, indexed once for all rows (each row skips its own).
    index = CopyIndex([OtherField(f"{t.kind}的完成情况", t.completion) for t in report.targets] + _non_target_fields(report))
    for row in report.targets:
        verdict, row_findings = review_row(row, index)
        verdicts.append(verdict)
        findings += row_findings
    findings = one_copy_finding(findings, report)
    findings += unsupported_scores(report, verdicts, rescored)
    return verdicts, findings

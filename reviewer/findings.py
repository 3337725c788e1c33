"""Findings: the one shape every check, rule and judge reports in.

Codes are a public contract — CI users filter on them — so they are listed here once and
documented in the README. Add a code here before emitting it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from reviewer.model import Location

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
SEVERITY_LABEL: dict[str, str] = {"error": "错误", "warning": "存疑", "info": "无法核实"}
REVIEWER_NOTE_LABEL = "待核实"  # a reading the rules are not sure of, for the reviewer only

# code → what it means (English, for the README; `review codes` shows data/codes.zh.yaml)
CODES: dict[str, str] = {
    "input.unreadable": "a part of the form could not be found or read",
    "input.pdf_join": "a PDF input: a table cell a page break cut was joined to its part on the page before; check the join against the PDF (info)",
    "input.duplicate_file": "the file is byte-for-byte the same as another file of the batch (reviewed once)",
    "table.sum_mismatch": "a total in a money table is not the sum of its parts",
    "score.exceeds_max": "a self-score is above the indicator's points",
    "score.total_mismatch": "points or self-scores do not add up to the stated total/subtotal",
    "score.grade_mismatch": "the grade (评价等次) does not match the score",
    "score.deduction_without_reason": "points were deducted with no 扣分原因",
    "score.recomputed_differs": "the score recomputed from the report's own figures differs",
    "score.unsupported": "full marks where the evidence the rubric needs is missing",
    "score.unverifiable": "the report lacks the data needed to recompute this score",
    "narrative.figure_mismatch": "a figure or rate in the narrative disagrees with the tables or its own arithmetic",
    "target.not_measurable": "a 绩效目标 states no value and no time limit",
    "target.not_met": "the completion reports a figure that does not meet the target",
    "target.not_evidenced": "the completion gives no figure for what the target asked",
    "target.shortfall_without_reason": "an indicator falls short of its target (or was marked down) and the 偏差原因/未完成原因 cell is empty",
    "target.far_exceeded": "the completion is far above a floor target: the target may have been set too low (info)",
    "completion.vague": "the completion is stock phrases with no figure, date or named output",
    "completion.restates_target": "the completion mostly repeats the target's words",
    "completion.copied": "the completion is (nearly) the same text as another field of the report",
    "completion.empty": "the completion is blank or says nothing (无, /)",
    "completion.template": "the completion is still the form's instruction text",
    "completion.copied_across_reports": "the same completion text appears in another department's report",
    "llm.unverified_quote": "a quote the model relied on is not in the completion text",
    "llm.disagrees_with_rules": "the model and the rules disagree; a person must decide",
    "llm.settles_rules": "the model's verified quote, read by the rules, meets a clause the rules had read as not met (reviewer only)",
    "llm.not_run": "the LLM judge did not run for this row",
    "llm.failed": "the LLM call for this row failed after retries",
    "llm.incomplete_answer": "the model left out a clause it was asked about (after one re-ask); that clause is not judged",
}


class Finding(BaseModel):
    # Stable across runs and resubmissions (reviewer.finding_ids); "" until the review assigns it.
    id: str = ""
    code: str
    severity: Severity
    message: str  # Chinese, ready to paste into feedback
    location: Location = Field(default_factory=Location)
    # Further places the same cause touches (one doubtful target → every score row resting on it):
    # one finding, several locations, so the reviewer reads the point once.
    also: list[Location] = Field(default_factory=list)
    expected: str | float | None = None
    found: str | float | None = None
    source: Literal["checks", "rules", "llm", "ingest", "batch"] = "checks"
    # How sure the layer that raised it is (reviewer.review.Confidence); the row assessment maps
    # (code, confidence) to what the department sees.
    confidence: Literal["high", "medium", "low"] = "high"
    working: str = ""  # the derivation behind it, for the reviewer
    # "reviewer": a note for the person checking the report only (a reading the rules are not sure
    # of); never sent to the department, whatever its code
    audience: Literal["department", "reviewer"] = "department"

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str) -> str:
        if code not in CODES:
            raise ValueError(f"unknown finding code {code!r}: add it to reviewer.findings.CODES")
        return code


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then document order."""

    def key(f: Finding):
        loc = f.location
        return (
            -SEVERITY_RANK[f.severity],
            loc.table if loc.table is not None else -1,
            loc.row if loc.row is not None else -1,
            loc.paragraph if loc.paragraph is not None else -1,
        )

    return sorted(findings, key=key)


def code_meanings_zh() -> dict[str, str]:
    """code → its meaning in Chinese, from data/codes.zh.yaml (what `review codes` shows)."""
    from pathlib import Path

    from reviewer.yamlio import load_yaml

    path = Path(__file__).parent / "data" / "codes.zh.yaml"
    return {str(k): str(v) for k, v in (load_yaml(path.read_text(encoding="utf-8")) or {}).items()}


def severity_label(f: "Finding") -> str:
    """How a finding's weight is shown: its severity, or 待核实 for a note kept for the reviewer."""
    return REVIEWER_NOTE_LABEL if f.audience == "reviewer" else SEVERITY_LABEL[f.severity]

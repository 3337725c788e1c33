"""The result of one review: what every stage found, ready for the memo writers.

Writers render a Review; they never decide anything that is not already in it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from reviewer.findings import Finding
from reviewer.model import Location, Report

IndicatorStatus = Literal["verified", "unverifiable", "doubtful", "wrong", "not_checked"]
STATUS_LABEL: dict[str, str] = {
    "verified": "核实",
    "unverifiable": "无法核实",
    "doubtful": "存疑",
    "wrong": "错误",
    "not_checked": "未检查",
}
# One wording for a target's verdict and a clause's outcome, wherever they are shown (memo, reasons,
# the judge's notes and disagreements).
VERDICT_LABEL: dict[str, str] = {
    "evidenced": "有证据",
    "partial": "部分有证据",
    "not_evidenced": "无证据",
    "not_checked": "未判断",
    "not_applicable": "不适用",
}
OUTCOME_LABEL: dict[str, str] = {
    "met": "达到",
    "not_met": "未达到",
    "not_reported": "未报告",
    "approximate": "约数/不确切",
    "qualitative": "定性",
    "abstain": "规则未能判断",
    "not_checked": "未判断",
}
CONFIDENCE_LABEL: dict[str, str] = {"high": "确定", "medium": "较确定", "low": "不确定"}


class IndicatorResult(BaseModel):
    """What the deterministic re-scoring made of one 评分表 row."""

    row_index: int  # ScoreRow.index
    indicator: str  # 三级指标
    status: IndicatorStatus
    claimed: float | None = None
    recomputed: float | None = None
    working: str = ""  # the arithmetic, in Chinese, e.g. "在职31人 / 编制34人 = 91.2% ≤ 100% → 5分"
    needs: list[str] = Field(default_factory=list)  # data the report would have to give
    pending: bool = False  # a qualitative row whose evidence a person must read (no figure to re-score)
    location: Location = Field(default_factory=Location)


# not_checked: the LLM was asked about the clause and gave no judgement of it;
# abstain: the rules found figures but could not bind one to what the clause asks (subject, unit or
# qualifier disagree), so they say nothing rather than guess
ClauseOutcome = Literal["met", "not_met", "not_reported", "approximate", "qualitative", "abstain", "not_checked"]
# How sure a judgement is, from what the rule itself knows (exact unit, subject words, a runner-up close
# behind, an implied comparator). Only a high-confidence negative reaches the department as fact.
Confidence = Literal["high", "medium", "low"]
Verdict = Literal["evidenced", "partial", "not_evidenced", "not_checked", "not_applicable"]


class Clause(BaseModel):
    """One measurable (or qualitative) part of a 绩效目标 and what the completion says of it."""

    text: str
    span: tuple[int, int]  # in the target text
    object: str = ""
    comparator: Literal[">=", "<=", "=", ""] = ""
    implied: bool = False  # the target wrote no 以上/以下: the comparator is read from what it counts
    value: float | None = None
    unit: str = ""
    time_words: list[str] = Field(default_factory=list)
    outcome: ClauseOutcome = "qualitative"
    evidence: str = ""  # the completion text relied on
    evidence_span: tuple[int, int] | None = None  # in the completion text
    found_value: float | None = None
    found_raw: str = ""  # the figure as the completion writes it ("612人次")
    exceeds_by: float | None = None  # found ÷ target when a floor is far exceeded: the target may be too low
    note: str = ""  # Chinese explanation for the memo
    confidence: Confidence = "high"
    working: str = ""  # a derivation shown to the reviewer: "按412件、407件计算为98.79%"
    rejected: list[str] = Field(default_factory=list)  # figures considered and why not taken ("6家：单位不是家次")
    quotes: list[str] = Field(default_factory=list)  # the model's verified quotes for this clause (llm)


class TargetVerdict(BaseModel):
    """A verdict on one 定量目标 row by one judge (rules or llm)."""

    target_index: int
    by: Literal["rules", "llm"]
    verdict: Verdict
    clauses: list[Clause] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)  # finding codes raised on this row
    reason: str = ""
    quotes: list[str] = Field(default_factory=list)  # verified quotes (llm)
    follow_up: str = ""  # a question the reviewer could send the department
    status_note: str = ""  # "未运行 (no endpoint configured)", "未完成: timeout" …
    confidence: Confidence = "high"  # the weakest confidence among the clauses the verdict rests on


class LLMRun(BaseModel):
    ran: bool = False
    note: str = "未运行 (no endpoint configured)"
    model: str = ""
    base_url: str = ""
    mode: str = ""  # json_schema / json_object / prompt
    prompt_version: str = ""
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    usage_unknown: int = 0  # calls whose reply did not say how many tokens they used
    interrupted: bool = False  # Ctrl-C stopped the calls; what was answered is kept


DecisionValue = Literal["采纳", "不采纳", "待定"]
DECISION_VALUES: tuple[str, ...] = ("采纳", "不采纳", "待定")


class Decision(BaseModel):
    """A reviewer's decision on one finding, as read from the decisions file."""

    id: str
    decision: DecisionValue = "待定"
    note: str = ""
    # As last written to the file, to name a finding that is no longer raised.
    severity: str = ""
    indicator: str = ""
    message: str = ""


class Decisions(BaseModel):
    """The decisions file applied to this review (reviewer.decisions)."""

    source: str  # the file read
    by_id: dict[str, Decision] = Field(default_factory=dict)  # for findings raised in this review
    resolved: list[Decision] = Field(default_factory=list)  # in the file, no longer raised
    new: list[str] = Field(default_factory=list)  # ids raised now and absent from the file

    @property
    def any_decided(self) -> bool:
        return any(d.decision != "待定" for d in self.by_id.values()) or any(d.decision != "待定" for d in self.resolved)

    def of(self, finding_id: str) -> Decision | None:
        return self.by_id.get(finding_id)


class ScoreRange(BaseModel):
    """The 核定分 a reviewer could propose, from the indicator statuses (reviewer.conclusion).

    low: what the report's evidence supports (存疑 rows at their recomputed score, or 0); high: the
    same with every 存疑 row confirmed at its claimed score. 核实 rows count as claimed, 错误 rows at
    their recomputed score, 无法核实 and 未检查 rows at the claimed score at both ends (the report
    lacks the data; that is asked for, not held against it)."""

    low: float
    high: float
    low_grade: str = ""
    high_grade: str = ""
    claimed_total: float | None = None
    # claimed points per indicator status, and what the evidence supports of the 存疑 and 错误 ones
    points: dict[str, float] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    doubtful_supported: float = 0.0
    wrong_recomputed: float = 0.0


class Review(BaseModel):
    report: Report
    findings: list[Finding] = Field(default_factory=list)
    indicators: list[IndicatorResult] = Field(default_factory=list)
    verdicts: list[TargetVerdict] = Field(default_factory=list)
    llm: LLMRun = Field(default_factory=LLMRun)
    rubric: str = ""  # rubric file name + version
    score_range: ScoreRange | None = None  # None when the report has no 评分表
    tool_version: str = ""
    decisions: Decisions | None = None


def department_view(review: Review) -> Review:
    """What the department may see: once the reviewer has decided anything, only the findings
    they accepted (and the follow-up questions of rows that still have one)."""
    d = review.decisions
    if d is None or not d.any_decided:
        return review
    accepted = [f for f in review.findings if (x := d.of(f.id)) is not None and x.decision == "采纳"]
    rows = {(f.location.table, f.location.row) for f in accepted}
    targets = {t.index: (t.location.table, t.location.row) for t in review.report.targets}
    verdicts = [
        v if targets.get(v.target_index) in rows else v.model_copy(update={"follow_up": ""}) for v in review.verdicts
    ]
    return review.model_copy(update={"findings": accepted, "verdicts": verdicts})

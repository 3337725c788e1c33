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


class IndicatorResult(BaseModel):
    """What the deterministic re-scoring made of one 评分表 row."""

    row_index: int  # ScoreRow.index
    indicator: str  # 三级指标
    status: IndicatorStatus
    claimed: float | None = None
    recomputed: float | None = None
    working: str = ""  # the arithmetic, in Chinese, e.g. "在职31人 / 编制34人 = 91.2% ≤ 100% → 5分"
    needs: list[str] = Field(default_factory=list)  # data the report would have to give
    location: Location = Field(default_factory=Location)


ClauseOutcome = Literal["met", "not_met", "not_reported", "approximate", "qualitative"]
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

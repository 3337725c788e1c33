"""What `review eval` measured: per report and in total. `review schema --of eval` prints its schema."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FindingRef(BaseModel):
    code: str
    severity: str
    message: str
    where: str


class TargetCheck(BaseModel):
    indicator: str
    gold: str  # evidenced / partial / not_evidenced / not_met
    rules: str | None = None  # the rules' verdict in the same words; not_checked = abstained
    llm: str | None = None  # None = the LLM gave no verdict (not run, failed)
    found: bool = True  # the target row was found in the report


class ScoreCheck(BaseModel):
    indicator: str
    gold: str  # verified / unverifiable / contradicted
    tool: str | None = None
    agree: bool = False
    found: bool = True
    gold_value: float | None = None
    tool_value: float | None = None
    value_ok: bool | None = None  # gold verified with a recomputed figure: the tool verified the same


class ReportScore(BaseModel):
    file: str
    layout: str = ""  # as the tool read it
    gold_layout: str = ""
    kind: str = ""  # careful / sloppy
    reviewed: bool = False
    error: str = ""  # why the report could not be reviewed (e.g. a layout not supported)
    expected: int = 0
    caught: int = 0
    expected_by_code: dict[str, int] = Field(default_factory=dict)
    caught_by_code: dict[str, int] = Field(default_factory=dict)
    missed: list[dict] = Field(default_factory=list)
    must_not_violated: list[dict] = Field(default_factory=list)
    false_alarms: list[FindingRef] = Field(default_factory=list)
    targets: list[TargetCheck] = Field(default_factory=list)
    scores: list[ScoreCheck] = Field(default_factory=list)
    llm_ran: bool = False
    # "code@confidence" → (findings that match an expected or acceptable entry, findings raised)
    precision: dict[str, tuple[int, int]] = Field(default_factory=dict)
    abstained: tuple[int, int] = (0, 0)  # (rule clauses that abstained, measurable rule clauses)

    @property
    def rules_agree(self) -> tuple[int, int]:
        return sum(t.rules == t.gold for t in self.targets), len(self.targets)

    @property
    def llm_agree(self) -> tuple[int, int]:
        judged = [t for t in self.targets if t.llm is not None]
        return sum(t.llm == t.gold for t in judged), len(judged)

    @property
    def scores_agree(self) -> tuple[int, int]:
        return sum(s.agree for s in self.scores), len(self.scores)

    @property
    def verified_ok(self) -> tuple[int, int]:
        rows = [s for s in self.scores if s.value_ok is not None]
        return sum(bool(s.value_ok) for s in rows), len(rows)


class Totals(BaseModel):
    reports: int = 0
    reviewed: int = 0
    expected: int = 0
    caught: int = 0
    recall: float | None = None
    must_not_violated: int = 0
    false_alarms: int = 0
    false_alarms_careful: int = 0
    targets_agree_rules: tuple[int, int] = (0, 0)
    targets_agree_llm: tuple[int, int] = (0, 0)
    scores_agree: tuple[int, int] = (0, 0)
    verified_ok: tuple[int, int] = (0, 0)
    recall_by_code: dict[str, tuple[int, int]] = Field(default_factory=dict)  # code → (caught, expected)
    precision: dict[str, tuple[int, int]] = Field(default_factory=dict)  # "code@confidence" → (right, raised)
    abstained: tuple[int, int] = (0, 0)


class EvalResult(BaseModel):
    corpus: str
    batch: bool = True  # reports reviewed together (batch_only entries scored)
    llm: str = ""  # what the LLM judge did: 未运行 / model name
    reports: list[ReportScore] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


def total(reports: list[ReportScore]) -> Totals:
    t = Totals(reports=len(reports))
    by_code: dict[str, tuple[int, int]] = {}
    for r in reports:
        if not r.reviewed:
            continue
        t.reviewed += 1
        t.expected += r.expected
        t.caught += r.caught
        t.must_not_violated += len(r.must_not_violated)
        t.false_alarms += len(r.false_alarms)
        if r.kind == "careful":
            t.false_alarms_careful += len(r.false_alarms)
        t.targets_agree_rules = _add(t.targets_agree_rules, r.rules_agree)
        t.targets_agree_llm = _add(t.targets_agree_llm, r.llm_agree)
        t.scores_agree = _add(t.scores_agree, r.scores_agree)
        t.verified_ok = _add(t.verified_ok, r.verified_ok)
        t.abstained = _add(t.abstained, r.abstained)
        for key, pair in r.precision.items():
            t.precision[key] = _add(t.precision.get(key, (0, 0)), pair)
        for code, n in r.expected_by_code.items():
            by_code[code] = _add(by_code.get(code, (0, 0)), (r.caught_by_code.get(code, 0), n))
    t.recall = round(t.caught / t.expected, 4) if t.expected else None
    t.recall_by_code = dict(sorted(by_code.items()))
    t.precision = dict(sorted(t.precision.items()))
    return t

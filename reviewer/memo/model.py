"""The memo model: a Review arranged for reading. Every writer renders this one shape.

Nothing here judges the report. It groups what the stages already said (findings by cause into the
department's problems — see department.py —, verdicts by target, indicator statuses beside the 评分表),
adds them up for the summary box, words the 审核结论 from templates/wording.yaml, numbers the findings
once and lets the 评分表 and target sections point at those numbers, and cuts texts into highlighted
segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reviewer.findings import SEVERITY_LABEL, Finding
from reviewer.memo.department import DepartmentView, Problem, build_view, fill, places, show
from reviewer.model import Location, ScoreRow, TargetRow
from reviewer.review import OUTCOME_LABEL, STATUS_LABEL, VERDICT_LABEL, Clause, IndicatorResult, Review, TargetVerdict

TEMPLATES = Path(__file__).parent / "templates"
SEVERITIES = ("error", "warning", "info")

BY_LABEL = {"rules": "规则", "llm": "大模型"}
BY_SOURCE = {"checks": "评分规则核查", "rules": "文字规则", "llm": "大模型", "ingest": "读取", "batch": "批量比对"}


def show_value(value: object) -> str:
    """Figures as people write them: 3 not 3.0, 0.53 not 0.530000; text passes through."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:,.4f}".rstrip("0").rstrip(".")
        return text if text not in ("0", "-0") or value == 0 else f"{value:g}"
    return str(value)


@dataclass
class Segment:
    """A piece of a text; `mark` says why it is highlighted ("" = plain)."""

    text: str
    mark: str = ""


@dataclass
class ScoreLine:
    row: ScoreRow
    result: IndicatorResult | None
    status: str  # IndicatorStatus key
    findings: list[Finding]
    problems: list[int] = field(default_factory=list)  # numbers of the problems asking about this row
    refs: list[int] = field(default_factory=list)  # numbers of the findings on this row

    @property
    def status_label(self) -> str:
        return STATUS_LABEL[self.status]


@dataclass
class TargetSection:
    row: TargetRow
    verdicts: list[TargetVerdict]
    findings: list[Finding]
    target: list[Segment]
    completion: list[Segment]
    problems: list[int] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        seen: dict[str, None] = {}
        for v in self.verdicts:
            seen.update(dict.fromkeys(v.flags))
        for f in self.findings:
            seen[f.code] = None
        return list(seen)


@dataclass
class StatusTally:
    status: str
    count: int = 0
    points: float = 0.0

    @property
    def label(self) -> str:
        return STATUS_LABEL[self.status]


@dataclass
class Summary:
    department: str
    year: int | None
    source: str
    claimed_score: str  # as written ("99分"), "" when not read
    claimed_value: float | None
    grade: str
    grade_absent: str  # shown where the grade is blank: not read, or a form with no 评价等次 cell
    statuses: list[StatusTally]  # 核实 / 无法核实 / 存疑 / 错误 / 未检查, claimed points per status
    severity_counts: dict[str, int]  # error/warning/info → count (tool trouble not counted)
    llm_line: str
    conclusion: list[str] = field(default_factory=list)  # the 审核结论 sentences
    tool_line: str = ""  # 工具未完成 …, or ""

    def points(self, status: str) -> float:
        return next((t.points for t in self.statuses if t.status == status), 0.0)

    @property
    def checked(self) -> bool:
        return any(t.count for t in self.statuses if t.status != "not_checked")


@dataclass
class Memo:
    review: Review
    summary: Summary
    score_lines: list[ScoreLine]
    targets: list[TargetSection]
    problems: list[Problem]  # one per cause, for the department, most points at stake first
    internal: list[Finding]  # for the reviewer only (tool and model), numbered after the problems' findings
    findings: list[Finding]  # all, in the order they are numbered (problem by problem, then internal)
    unlocated: list[Finding] = field(default_factory=list)
    wording: dict = field(default_factory=dict)  # templates/wording.yaml (or the --templates copy)

    @property
    def main_problems(self) -> list[Problem]:
        return main_problems(self.problems)

    def number(self, f: Finding) -> int:
        return self._numbers[id(f)]

    def __post_init__(self) -> None:
        self._numbers = {id(f): n for n, f in enumerate(self.findings, 1)}

    @property
    def report(self):
        return self.review.report


# ---------------------------------------------------------------------------------------------


def _findings_by_row(findings: list[Finding]) -> dict[tuple[int, int], list[Finding]]:
    # Grouped once per memo: matching every finding against every row was quadratic, and a
    # 10,000-row table with a finding per row took minutes.
    at: dict[tuple[int, int], list[Finding]] = {}
    for f in findings:
        for loc in places(f):
            if loc.table is not None and loc.row is not None:
                at.setdefault((loc.table, loc.row), []).append(f)
    return at


def _score_lines(review: Review) -> list[ScoreLine]:
    table = review.report.score_view()
    if table is None:
        return []
    by_row = {r.row_index: r for r in review.indicators}
    at = _findings_by_row(review.findings)
    lines = []
    for row in table.rows:
        result = by_row.get(row.index)
        if result is None and row.shared_with:
            # A row under a merged 自评得分 cell is judged with its group's first row.
            result = by_row.get(min(row.shared_with))
        status = result.status if result else "not_checked"
        if row.shared_with and row.index != min(row.shared_with) and (head := by_row.get(min(row.shared_with))):
            status = head.status  # the merged cell's figure is judged once, for the whole group
        findings = at.get((row.location.table, row.location.row), [])
        lines.append(ScoreLine(row=row, result=result, status=status, findings=findings))
    return lines


def _tally(lines: list[ScoreLine]) -> list[StatusTally]:
    tallies = {s: StatusTally(s) for s in STATUS_LABEL}
    for line in lines:
        # Rows sharing one merged 分值/自评得分 cell carry one figure for the group: count it once.
        if line.row.shared_with and line.row.index != min(line.row.shared_with):
            continue
        claimed = line.result.claimed if line.result and line.result.claimed is not None else line.row.self_score.value
        tally = tallies[line.status]
        tally.count += 1
        tally.points += claimed or 0.0
    return list(tallies.values())


def _llm_line(review: Review, wording: dict) -> str:
    run = review.llm
    if not run.ran:
        note = run.note or "未运行"
        return (wording.get("tool") or {}).get("llm_notes", {}).get(note, note)
    tokens = run.prompt_tokens + run.completion_tokens
    parts = [f"模型 {run.model or '（未知）'}", f"调用 {run.calls} 次"]
    if run.cache_hits:
        parts.append(f"缓存命中 {run.cache_hits} 次")
    if run.usage_unknown and run.usage_unknown >= run.calls:
        parts.append("tokens 未知（服务器未报告用量）")
    elif run.usage_unknown:
        parts.append(f"tokens 至少 {tokens:,}（输入 {run.prompt_tokens:,} / 输出 {run.completion_tokens:,}；"
                     f"{run.usage_unknown} 次调用未报告用量）")
    else:
        parts.append(f"tokens {tokens:,}（输入 {run.prompt_tokens:,} / 输出 {run.completion_tokens:,}）")
    if run.interrupted:
        parts.append("调用被中断（Ctrl-C），未完成的行已标出")
    return "，".join(parts)


TOOL_TROUBLE = ("llm.failed",)


def _tool_line(review: Review, wording: dict) -> str:
    """LLM rows that got no judgement because a call failed (未完成): the tool's trouble, said once
    and never counted against the department. Rows of a judge that was not run at all are said by
    the 大模型判断 line; rows skipped for an empty completion are asked about by the rules."""
    kinds = {t.index: t.kind for t in review.report.targets}
    by_reason: dict[str, list[str]] = {}
    for v in review.verdicts:
        if v.by == "llm" and v.verdict == "not_checked" and (v.status_note.startswith("未完成") or "llm.failed" in v.flags):
            reason = v.status_note.removeprefix("未完成").lstrip(":： ") or "原因未记录"
            by_reason.setdefault(reason, []).append(kinds.get(v.target_index, str(v.target_index + 1)))
    if not by_reason:
        return ""
    rows = "；".join(f"{'、'.join(names)}：{reason}" for reason, names in by_reason.items())
    pattern = (wording.get("tool") or {}).get("unfinished", "工具未完成：{n}行（{rows}）")
    return fill(pattern, "tool.unfinished", n=sum(len(v) for v in by_reason.values()), rows=rows)


def main_problems(problems: list[Problem], limit: int = 6) -> list[Problem]:
    """The problems the 审核结论 names: most points at stake first (the questions put wrong facts first)."""
    return sorted(problems, key=lambda p: (-p.stake, p.number))[:limit]


def _conclusion(review: Review, summary: Summary, problems: list[Problem], wording: dict) -> list[str]:
    words = wording.get("conclusion") or {}
    year = f"{summary.year}年度" if summary.year else ""
    out = []
    if summary.claimed_value is not None or summary.grade:
        key = "claimed" if summary.grade or "claimed_no_grade" not in words else "claimed_no_grade"
        out.append(fill(words.get(key, ""), f"conclusion.{key}", department=summary.department or "该部门",
                        year=year, claimed=show(summary.claimed_value) or "（未读到）", grade=summary.grade or "（未读到）"))
    rng = review.score_range
    if rng is None:
        out.append(words.get("no_table", ""))
    else:
        claimed = rng.high if rng.claimed_total is None else max(rng.claimed_total, rng.high)
        gap = claimed - rng.low
        # the gap is what 存疑 and 错误 rows lose: name the problems behind it, not the data still awaited
        titles = "、".join(f"“{p.title}”" for p in main_problems([p for p in problems if p.severity != "info"])[:3])
        if gap > 0.005 and titles:
            out.append(fill(words.get("judgement_gap", ""), "conclusion.judgement_gap", gap=show(float(round(gap, 2))), titles=titles))
        elif rng.points.get("unverifiable"):
            out.append(fill(words.get("judgement_unverifiable", ""), "conclusion.judgement_unverifiable",
                            unverifiable=show(float(rng.points["unverifiable"]))))
        elif not problems:
            out.append(words.get("judgement_sound", ""))
        parts = []
        for status in ("verified", "wrong", "doubtful", "unverifiable", "not_checked"):
            if rng.counts.get(status):
                parts.append(fill(words.get("status_parts", {}).get(status, ""), f"conclusion.status_parts.{status}",
                                  count=rng.counts[status], points=show(float(rng.points.get(status, 0.0)))))
        if parts:
            out.append(fill(words.get("statuses", "{parts}"), "conclusion.statuses", parts="；".join(parts)))
        key = "range_one" if rng.low == rng.high else "range_same_grade" if rng.low_grade == rng.high_grade else "range"
        out.append(fill(words.get(key, ""), f"conclusion.{key}", low=show(float(rng.low)), high=show(float(rng.high)),
                        low_grade=rng.low_grade or "—", high_grade=rng.high_grade or "—"))
    if not problems:
        out.append(words.get("no_problems", ""))
    return [s for s in out if s]


def _summary(review: Review, lines: list[ScoreLine], wording: dict) -> Summary:
    r = review.report
    counts = {s: 0 for s in SEVERITIES}
    for f in review.findings:
        if f.code not in TOOL_TROUBLE and f.code != "llm.not_run":
            counts[f.severity] += 1
    return Summary(
        department=r.cover.department.text.strip(),
        year=r.cover.year,
        source=r.source,
        claimed_score=r.total_score.raw.strip(),
        claimed_value=r.total_score.value if r.total_score.known else None,
        grade=r.grade.text.strip(),
        grade_absent="（未读到）" if r.grade.location.table is not None or r.layout == "hunan-dept-overall" else "（本表式无此栏）",
        statuses=_tally(lines),
        severity_counts=counts,
        llm_line=_llm_line(review, wording),
        tool_line=_tool_line(review, wording),
    )


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[Segment]:
    """Cut `text` at the spans; overlapping spans merge (the first one's mark wins)."""
    clean = sorted((max(0, a), min(len(text), b), m) for a, b, m in spans if b > a and a < len(text))
    merged: list[list] = []
    for a, b, m in clean:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b, m])
    out: list[Segment] = []
    pos = 0
    for a, b, m in merged:
        if a > pos:
            out.append(Segment(text[pos:a]))
        out.append(Segment(text[a:b], m or "cited"))
        pos = b
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _quote_spans(text: str, quotes: list[str]) -> list[tuple[int, int, str]]:
    spans = []
    for q in quotes:
        q = q.strip()
        if q and (i := text.find(q)) >= 0:
            spans.append((i, i + len(q), "quote"))
    return spans


def _clause_spans(clauses: list[Clause], which: str) -> list[tuple[int, int, str]]:
    out = []
    for c in clauses:
        span = c.span if which == "target" else c.evidence_span
        if span:
            out.append((span[0], span[1], "clause" if which == "target" else "evidence"))
    return out


def _finding_spans(findings: list[Finding], loc: Location) -> list[tuple[int, int, str]]:
    return [
        (f.location.span[0], f.location.span[1], "finding")
        for f in findings
        if f.location.span and f.location.col == loc.col and f.location.paragraph == loc.paragraph
    ]


def _targets(review: Review) -> list[TargetSection]:
    sections = []
    at = _findings_by_row(review.findings)
    by_target: dict[int, list[TargetVerdict]] = {}
    for v in review.verdicts:
        by_target.setdefault(v.target_index, []).append(v)
    for row in review.report.targets:
        verdicts = list(by_target.get(row.index, []))
        verdicts.sort(key=lambda v: v.by != "rules")  # rules first: they are the baseline the llm is read against
        findings = at.get((row.location.table, row.location.row), [])
        t_spans = [s for v in verdicts for s in _clause_spans(v.clauses, "target")]
        c_spans = [s for v in verdicts for s in _clause_spans(v.clauses, "completion")]
        c_spans += [s for v in verdicts for s in _quote_spans(row.completion.text, v.quotes)]
        t_spans += _finding_spans(findings, row.target.location)
        c_spans += _finding_spans(findings, row.completion.location)
        sections.append(
            TargetSection(
                row=row,
                verdicts=verdicts,
                findings=findings,
                target=segments(row.target.text, t_spans),
                completion=segments(row.completion.text, c_spans),
            )
        )
    return sections


def _located(loc: Location) -> bool:
    return loc.table is not None or loc.paragraph is not None


def _row_key(loc: Location) -> tuple:
    return (loc.table, loc.row)


def build_memo(review: Review, templates: Path | None = None) -> Memo:
    view: DepartmentView = build_view(review, templates)
    lines = _score_lines(review)
    summary = _summary(review, lines, view.wording)
    summary.conclusion = _conclusion(review, summary, view.problems, view.wording)
    # Failed LLM calls are said once, by the 工具未完成 line, not as one finding per row.
    internal = [f for f in view.internal if f.code not in TOOL_TROUBLE]
    numbered = [f for p in view.problems for f in p.findings] + internal
    memo = Memo(
        review=review,
        summary=summary,
        score_lines=lines,
        targets=_targets(review),
        problems=view.problems,
        internal=internal,
        findings=numbered,
        unlocated=[f for f in numbered if not _located(f.location)],
        wording=view.wording,
    )
    # The 评分表 and target sections point at problem and finding numbers instead of restating them.
    by_row: dict[tuple, set[int]] = {}
    score_loc = {l.row.index: l.row.location for l in lines}
    target_loc = {t.row.index: t.row.location for t in memo.targets}
    for p in view.problems:
        for i in p.items:
            if i.score_row is not None and i.score_row in score_loc:
                by_row.setdefault(_row_key(score_loc[i.score_row]), set()).add(p.number)
            if i.target_row is not None and i.target_row in target_loc:
                by_row.setdefault(_row_key(target_loc[i.target_row]), set()).add(p.number)
        for f in p.findings:
            for loc in places(f):
                by_row.setdefault(_row_key(loc), set()).add(p.number)
    refs: dict[tuple, list[int]] = {}
    for f in numbered:
        for loc in places(f):
            refs.setdefault(_row_key(loc), []).append(memo.number(f))
    first_of = {l.row.index: l for l in lines}
    for line in lines:
        key = _row_key(line.row.location)
        line.problems = sorted(by_row.get(key, ()))
        line.refs = refs.get(key, [])
        head = first_of.get(min(line.row.shared_with)) if line.row.shared_with else None
        if head is not None and head is not line:  # a row under a merged score cell is asked about with its group
            head_key = _row_key(head.row.location)
            line.problems = sorted(set(line.problems) | by_row.get(head_key, set()))
            line.refs = line.refs or refs.get(head_key, [])
    for t in memo.targets:
        key = _row_key(t.row.location)
        t.problems = sorted(by_row.get(key, ()))
        t.refs = refs.get(key, [])
    return memo


__all__ = [
    "BY_LABEL",
    "Memo",
    "OUTCOME_LABEL",
    "SEVERITY_LABEL",
    "VERDICT_LABEL",
    "build_memo",
    "segments",
]

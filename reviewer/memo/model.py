"""The memo model: a Review arranged for reading. Every writer renders this one shape.

Nothing here judges the report. It groups what the stages already said (findings by row, verdicts by
target, indicator statuses beside the 评分表), adds them up for the summary box, and cuts texts into
highlighted segments. A question for the department is either a verdict's own `follow_up` or a
finding's message phrased as a question by `templates/questions.yaml` (domain wording, editable).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from reviewer.errors import ConfigError
from reviewer.findings import SEVERITY_LABEL, SEVERITY_RANK, Finding, sort_findings
from reviewer.model import Location, ScoreRow, TargetRow
from reviewer.review import STATUS_LABEL, Clause, IndicatorResult, Review, TargetVerdict

TEMPLATES = Path(__file__).parent / "templates"
SEVERITIES = ("error", "warning", "info")

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
    "not_checked": "未判断",
}
BY_LABEL = {"rules": "规则", "llm": "大模型"}


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

    @property
    def flags(self) -> list[str]:
        seen: dict[str, None] = {}
        for v in self.verdicts:
            seen.update(dict.fromkeys(v.flags))
        for f in self.findings:
            seen[f.code] = None
        return list(seen)


@dataclass
class Question:
    text: str
    location: Location

    @property
    def where(self) -> str:
        """Coordinates only: the question text already starts with the location's label."""
        loc = self.location
        if loc.table is None and loc.paragraph is None:
            return ""
        return loc.model_copy(update={"label": "", "span": None}).describe()


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
    statuses: list[StatusTally]  # 核实 / 无法核实 / 存疑 / 错误 / 未检查, claimed points per status
    severity_counts: dict[str, int]  # error/warning/info → count
    llm_line: str

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
    questions: list[Question]
    findings: list[Finding]  # all, most severe first
    unlocated: list[Finding] = field(default_factory=list)

    @property
    def report(self):
        return self.review.report


# ---------------------------------------------------------------------------------------------


def _findings_by_row(findings: list[Finding]) -> dict[tuple[int, int], list[Finding]]:
    # Grouped once per memo: matching every finding against every row was quadratic, and a
    # 10,000-row table with a finding per row took minutes.
    at: dict[tuple[int, int], list[Finding]] = {}
    for f in findings:
        if f.location.table is not None and f.location.row is not None:
            at.setdefault((f.location.table, f.location.row), []).append(f)
    return at


def _score_lines(review: Review) -> list[ScoreLine]:
    table = review.report.score_table
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
        findings = at.get((row.location.table, row.location.row), [])
        lines.append(ScoreLine(row=row, result=result, status=result.status if result else "not_checked", findings=findings))
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


def _llm_line(review: Review) -> str:
    run = review.llm
    if not run.ran:
        return run.note or "未运行"
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


def _summary(review: Review, lines: list[ScoreLine]) -> Summary:
    r = review.report
    counts = {s: 0 for s in SEVERITIES}
    for f in review.findings:
        counts[f.severity] += 1
    return Summary(
        department=r.cover.department.text.strip(),
        year=r.cover.year,
        source=r.source,
        claimed_score=r.total_score.raw.strip(),
        claimed_value=r.total_score.value if r.total_score.known else None,
        grade=r.grade.text.strip(),
        statuses=_tally(lines),
        severity_counts=counts,
        llm_line=_llm_line(review),
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


def load_question_templates(folder: Path | None = None) -> dict[str, str | None]:
    return dict(_question_templates(str(folder or "")))


@lru_cache(maxsize=8)  # parsed once per process: YAML parsing cost more than rendering a memo
def _question_templates(folder: str) -> tuple[tuple[str, str | None], ...]:
    for base in (Path(folder) if folder else None, TEMPLATES):
        if base is not None and (base / "questions.yaml").is_file():
            try:
                data = yaml.safe_load((base / "questions.yaml").read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(f"{base / 'questions.yaml'}: YAML 有误：{exc}") from exc
            if not isinstance(data, dict):
                raise ConfigError(f"{base / 'questions.yaml'}: 应为“代码: 问题模板”的映射")
            return tuple((str(k), str(v).strip() if v else None) for k, v in data.items())
    return ()


def _place(loc: Location) -> str:
    return loc.label or loc.describe()


ROW_ANSWERED = ("target", "completion")


def _questions(review: Review, templates: dict[str, str | None]) -> list[Question]:
    rows = {t.index: t for t in review.report.targets}
    out: list[Question] = []
    seen: set[str] = set()

    def add(text: str, loc: Location) -> None:
        if text and text not in seen:
            seen.add(text)
            out.append(Question(text, loc))

    asked: set[tuple[int | None, int | None]] = set()  # target rows that already have their question
    for v in sorted(review.verdicts, key=lambda v: (v.target_index, v.by != "rules")):
        if v.follow_up.strip() and v.target_index in rows:
            row = rows[v.target_index]
            add(f"{row.category}·{row.kind}：{v.follow_up.strip()}", row.completion.location)
            asked.add((row.location.table, row.location.row))
    default = templates.get("default")
    for f in sort_findings(review.findings):
        # A department answers one question per target row; the row's findings (vague, copied,
        # not measurable …) stay in the findings list with the reasons.
        if f.code.split(".")[0] in ROW_ANSWERED and (f.location.table, f.location.row) in asked:
            continue
        pattern = templates.get(f.code, default if SEVERITY_RANK[f.severity] >= SEVERITY_RANK["warning"] else None)
        if not pattern:
            continue
        try:
            text = pattern.format(
                place=_place(f.location),
                message=f.message.strip().rstrip("。"),
                expected=show_value(f.expected),
                found=show_value(f.found),
            )
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"questions.yaml 中 {f.code} 的问题模板有误（可用占位符：{{place}} {{message}} {{expected}} {{found}}）：{exc}") from exc
        add(text, f.location)
    return out


def _located(loc: Location) -> bool:
    return loc.table is not None or loc.paragraph is not None


def build_memo(review: Review, templates: Path | None = None) -> Memo:
    lines = _score_lines(review)
    findings = sort_findings(review.findings)
    return Memo(
        review=review,
        summary=_summary(review, lines),
        score_lines=lines,
        targets=_targets(review),
        questions=_questions(review, load_question_templates(templates)),
        findings=findings,
        unlocated=[f for f in findings if not _located(f.location)],
    )


__all__ = [
    "BY_LABEL",
    "Memo",
    "OUTCOME_LABEL",
    "SEVERITY_LABEL",
    "VERDICT_LABEL",
    "build_memo",
    "segments",
]

"""The batch summary: one row per input file (reviewed or not), as CSV, HTML and Excel.

Rows are read off each report's memo summary, so the batch table and the memos never disagree.
The score range is the memo's 核定分 range (Review.score_range, reviewer.conclusion): `supported`
is what the report's evidence carries, `upper` the score with every doubtful row confirmed. Points
at stake = claimed − supported; the table is ordered by it, worst first.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.findings import SEVERITY_LABEL, SEVERITY_RANK, Finding
from reviewer.memo.cells import safe_cell
from reviewer.memo.model import build_memo, show_value
from reviewer.memo.neutral import href, show_controls
from reviewer.memo.render import render_summary_html
from reviewer.review import Review

WORST = 3  # findings quoted per report


@dataclass
class SummaryRow:
    file: str
    ok: bool
    department: str = ""
    layout: str = ""  # the form layout the report was read as
    year: int | None = None
    claimed: float | None = None
    claimed_raw: str = ""
    grade: str = ""
    points: dict[str, float] = field(default_factory=dict)  # indicator status → claimed points
    checked: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # severity → findings
    # (severity, message, how many findings share its code), most severe first, one per code
    worst: list[tuple[str, str, int]] = field(default_factory=list)
    error: str = ""
    memo: str = ""  # link to the memo, relative to the summary folder
    max_points: float | None = None  # the 评分表's total 分值
    supported: float | None = None
    upper: float | None = None
    grade_supported: str = ""
    grade_upper: str = ""
    grade_claimed: str = ""  # the claimed grade in the rubric's words ("优秀" → "优"), for counting

    @property
    def href(self) -> str:
        """`memo` percent-quoted for a link: never a scheme such as `javascript:`."""
        return href(self.memo) if self.memo else ""

    @property
    def total_findings(self) -> int:
        return sum(self.counts.values())

    @property
    def at_stake(self) -> float:
        if self.claimed is None or self.supported is None:
            return 0.0
        return max(0.0, self.claimed - self.supported)

    @property
    def suggested_grade(self) -> str:
        """The grade range the evidence allows: one grade, or "低～高"."""
        if not self.grade_supported:
            return ""
        if self.grade_upper and self.grade_upper != self.grade_supported:
            return f"{self.grade_supported}～{self.grade_upper}"
        return self.grade_supported


def _score_rows(review: Review) -> dict[tuple, float]:
    """(table, row) of each 评分表 row → its claimed points: what a finding there puts at stake."""
    table = review.report.score_table
    if table is None:
        return {}
    return {(r.location.table, r.location.row): r.self_score.value or 0.0 for r in table.rows if r.self_score.known}


def worst_first(findings: list[Finding], review: Review) -> list[Finding]:
    """Most severe first; within a severity, the most points at stake; then document order."""
    stake = _score_rows(review)

    def key(item: tuple[int, Finding]):
        k, f = item
        return (-SEVERITY_RANK[f.severity], -stake.get((f.location.table, f.location.row), 0.0), k)

    return [f for _, f in sorted(enumerate(findings), key=key)]


def row_for_review(file: str, review: Review, memo_link: str = "", rubric=None) -> SummaryRow:
    s = build_memo(review).summary
    # One line per code: seven "copied" flags on one report say one thing, and would hide the rest.
    by_code: dict[str, list] = {}
    for f in worst_first(review.findings, review):
        by_code.setdefault(f.code, []).append(f)
    worst = [(fs[0].severity, fs[0].message, len(fs)) for fs in list(by_code.values())[:WORST]]
    rng = review.score_range
    table = review.report.score_table
    return SummaryRow(
        layout=review.report.layout,
        max_points=table.total_points.value if table is not None and table.total_points.known else None,
        supported=rng.low if rng else None,
        upper=rng.high if rng else None,
        grade_supported=rng.low_grade if rng else "",
        grade_upper=rng.high_grade if rng else "",
        grade_claimed=(g.name if rubric is not None and (g := rubric.grade_named(s.grade)) else s.grade),
        file=file,
        ok=True,
        department=s.department,
        year=s.year,
        claimed=s.claimed_value,
        claimed_raw=s.claimed_score,
        grade=s.grade,
        points={t.status: t.points for t in s.statuses},
        checked=s.checked,
        counts=dict(s.severity_counts),
        worst=worst,
        memo=memo_link,
    )


def row_for_failure(file: str, error: str) -> SummaryRow:
    return SummaryRow(file=file, ok=False, error=error)


def relative_link(target: str, folder: Path) -> str:
    """The memo's path relative to the summary folder; "" (no link) when there is none (another
    drive on Windows): links in the summary are relative, never absolute."""
    try:
        return Path(os.path.relpath(target, folder)).as_posix()
    except ValueError:
        return ""


def _more(n: int) -> str:
    return f"（另有同类 {n - 1} 条）" if n > 1 else ""


CSV_COLUMNS = [
    "文件", "状态", "部门", "表式", "年度", "自评得分", "评价等次",
    "核实分", "无法核实分", "存疑分", "错误分", "未检查分",
    "有据得分", "最高可认定分", "涉及分值", "建议等次",
    "错误条数", "存疑条数", "无法核实条数", "主要问题", "审核意见",
]


def ordered(rows: list[SummaryRow]) -> list[SummaryRow]:
    """Reports with the most points at stake first; files that could not be reviewed at the end."""
    return sorted(rows, key=lambda r: (not r.ok, -r.at_stake, r.file))


def table_rows(rows: list[SummaryRow]) -> list[list[object]]:
    """The summary as cells (numbers stay numbers), in CSV_COLUMNS order; shared by CSV and Excel."""
    out: list[list[object]] = []
    for r in ordered(rows):
        if not r.ok:
            out.append([r.file, "无法审核", *[""] * (len(CSV_COLUMNS) - 5), r.error, ""])
            continue
        p = r.points
        out.append([
            r.file, "已审核", r.department, r.layout, r.year or "",
            r.claimed if r.claimed is not None else r.claimed_raw, r.grade,
            *(p.get(k, 0.0) for k in ("verified", "unverifiable", "doubtful", "wrong", "not_checked")),
            *((v if v is not None else "") for v in (r.supported, r.upper)), r.at_stake, r.suggested_grade,
            r.counts.get("error", 0), r.counts.get("warning", 0), r.counts.get("info", 0),
            "；".join(f"【{SEVERITY_LABEL[sev]}】{msg}{_more(n)}" for sev, msg, n in r.worst), r.memo,
        ])
    return out


def summary_csv(rows: list[SummaryRow]) -> str:
    buf = io.StringIO()
    # The BOM makes Excel (the tool these tables end up in) read the Chinese as UTF-8.
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for cells in table_rows(rows):
        w.writerow([safe_cell(show_value(c) if isinstance(c, float) else show_controls(c) if isinstance(c, str) else c) for c in cells])
    return buf.getvalue()


def summary_xlsx(rows: list[SummaryRow]) -> bytes:
    from reviewer.memo.xlsx import summary_workbook  # openpyxl loads only for a batch

    return summary_workbook(CSV_COLUMNS, table_rows(rows))


def grade_counts(rows: list[SummaryRow], order: list[str] | None = None) -> list[tuple[str, int, int, int]]:
    """(grade, reports claiming it, reports whose evidence supports it, … if every open point is
    confirmed), in the rubric's order (best first), then any other grade as it first appears."""
    names: dict[str, list[int]] = {}
    for r in rows:
        if not r.ok:
            continue
        for i, g in enumerate((r.grade_claimed, r.grade_supported, r.grade_upper)):
            if g:
                names.setdefault(g, [0, 0, 0])[i] += 1
    rank = {g: i for i, g in enumerate(order or [])}
    return [(g, *c) for g, c in sorted(names.items(), key=lambda kv: rank.get(kv[0], len(rank)))]


def summary_html(rows: list[SummaryRow], templates: Path | None = None, title: str = "", grade_order: list[str] | None = None, run: str = "") -> str:
    """`run`: one line on the run itself (how many reviews were reused, reviewer.batch.RunCounts)."""
    grades = grade_counts(rows, grade_order)
    return render_summary_html(ordered(rows), [r for r in rows if not r.ok], templates, title=title, grades=grades, run=run)

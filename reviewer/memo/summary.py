"""The batch summary: one row per input file (reviewed or not), as CSV and as HTML.

Rows are read off each report's memo summary, so the batch table and the memos never disagree.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.findings import SEVERITY_LABEL, sort_findings
from reviewer.memo.model import build_memo, show_value
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

    @property
    def total_findings(self) -> int:
        return sum(self.counts.values())


def row_for_review(file: str, review: Review, memo_link: str = "") -> SummaryRow:
    s = build_memo(review).summary
    # One line per code: seven "copied" flags on one report say one thing, and would hide the rest.
    by_code: dict[str, list] = {}
    for f in sort_findings(review.findings):
        by_code.setdefault(f.code, []).append(f)
    worst = [(fs[0].severity, fs[0].message, len(fs)) for fs in list(by_code.values())[:WORST]]
    return SummaryRow(
        file=file,
        ok=True,
        department=s.department,
        layout=review.report.layout,
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
    try:
        return Path(os.path.relpath(target, folder)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(target).resolve().as_uri()


def _more(n: int) -> str:
    return f"（另有同类 {n - 1} 条）" if n > 1 else ""


CSV_COLUMNS = [
    "文件", "状态", "部门", "表式", "年度", "自评得分", "评价等次",
    "核实分", "无法核实分", "存疑分", "错误分", "未检查分",
    "错误条数", "存疑条数", "无法核实条数", "主要问题", "审核意见",
]


def summary_csv(rows: list[SummaryRow]) -> str:
    buf = io.StringIO()
    # The BOM makes Excel (the tool these tables end up in) read the Chinese as UTF-8.
    buf.write("\ufeff")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        if not r.ok:
            w.writerow([r.file, "无法审核", "", "", "", "", "", "", "", "", "", "", "", "", "", r.error, ""])
            continue
        p = r.points
        w.writerow([
            r.file, "已审核", r.department, r.layout, r.year or "", show_value(r.claimed) if r.claimed is not None else r.claimed_raw, r.grade,
            *(show_value(p.get(k, 0.0)) for k in ("verified", "unverifiable", "doubtful", "wrong", "not_checked")),
            r.counts.get("error", 0), r.counts.get("warning", 0), r.counts.get("info", 0),
            "；".join(f"【{SEVERITY_LABEL[sev]}】{msg}{_more(n)}" for sev, msg, n in r.worst), r.memo,
        ])
    return buf.getvalue()


def summary_html(rows: list[SummaryRow], templates: Path | None = None, title: str = "") -> str:
    return render_summary_html(rows, [r for r in rows if not r.ok], templates, title=title)

"""The reviewer's decisions on findings: a CSV file Excel opens, read back on every re-run.

    review decisions init report.docx   → report.review.decisions.csv (编号 严重程度 指标 问题 决定 备注)
    (the reviewer sets 决定 to 采纳 / 不采纳 / 待定 and adds 备注 in Excel)
    review report.docx                  picks the file up; --decisions FILE names another one

Decisions are matched by finding id (reviewer.finding_ids), so they carry over to a resubmitted
report: a finding raised again keeps its decision; one no longer raised is listed as resolved; one
not in the file is new. `init` on an existing file keeps every decision in it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from reviewer.errors import ConfigError, one_line
from reviewer.findings import SEVERITY_LABEL, Finding
from reviewer.memo.cells import read_cell, safe_cell
from reviewer.memo.outputs import fit_name
from reviewer.model import Report
from reviewer.review import DECISION_VALUES, Decision, Decisions, Review

DECISIONS_SUFFIX = ".review.decisions.csv"
COLUMNS = ["编号", "严重程度", "指标", "问题", "决定", "备注"]
_FIELDS = ["id", "severity", "indicator", "message", "decision", "note"]
_HEADER = {**{c: f for c, f in zip(COLUMNS, _FIELDS)}, **{f: f for f in _FIELDS}}
# What people type in the 决定 column besides the three values.
_SYNONYMS = {
    "": "待定", "accept": "采纳", "accepted": "采纳", "yes": "采纳", "是": "采纳", "同意": "采纳", "√": "采纳",
    "reject": "不采纳", "rejected": "不采纳", "no": "不采纳", "否": "不采纳", "不同意": "不采纳", "×": "不采纳",
    "pending": "待定", "未定": "待定",
}


def decisions_path(source: Path) -> Path:
    """report.docx → report.review.decisions.csv beside it."""
    return source.with_name(fit_name(source.stem, DECISIONS_SUFFIX))


def indicator_of(f: Finding, report: Report) -> str:
    """The row a finding is about, in the form's words (三级指标, 类别·指标, else the location)."""
    loc = f.location
    if loc.table is not None and loc.row is not None:
        if report.score_table is not None:
            for r in report.score_table.rows:
                if (r.location.table, r.location.row) == (loc.table, loc.row):
                    return r.level3
        for t in report.targets:
            if (t.location.table, t.location.row) == (loc.table, loc.row):
                return f"{t.category}·{t.kind}"
    return loc.label or loc.describe()


def _decision_value(raw: str, where: str) -> str:
    text = raw.strip()
    if text in DECISION_VALUES:
        return text
    value = _SYNONYMS.get(text.lower())
    if value is None:
        raise ConfigError(f"{where}: 决定应为 采纳、不采纳 或 待定，而不是 {one_line(text)!r}")
    return value


def rows_for(review: Review, previous: list[Decision] | None = None) -> list[Decision]:
    """One row per finding (decision carried over by id), then the earlier rows no longer raised."""
    old = {d.id: d for d in previous or []}
    rows = []
    for f in review.findings:
        kept = old.pop(f.id, None)
        rows.append(
            Decision(
                id=f.id,
                decision=kept.decision if kept else "待定",
                note=kept.note if kept else "",
                severity=SEVERITY_LABEL[f.severity],
                indicator=indicator_of(f, review.report),
                message=f.message,
            )
        )
    return rows + list(old.values())


def decisions_csv(rows: list[Decision]) -> str:
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel reads the Chinese as UTF-8 only with the BOM
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for d in rows:
        w.writerow([safe_cell(getattr(d, name)) for name in _FIELDS])
    return buf.getvalue()


def read_decisions(path: Path) -> list[Decision]:
    """The rows of a decisions file (.csv as written by `init`, or a memo .xlsx's 问题清单 sheet)."""
    if path.suffix.lower() == ".xlsx":
        from reviewer.memo.xlsx import read_findings_sheet

        table = read_findings_sheet(path)
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{one_line(path)}: 无法读取决定文件：{exc.strerror or exc}") from exc
        for encoding in ("utf-8-sig", "gb18030"):  # Excel "CSV" without BOM saves in the local code page
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ConfigError(f"{one_line(path)}: 决定文件不是 UTF-8 或 GBK 编码的 CSV")
        table = list(csv.reader(io.StringIO(text)))
    if not table:
        raise ConfigError(f"{one_line(path)}: 决定文件是空的")
    header = [_HEADER.get(h.strip().lstrip("\ufeff")) for h in table[0]]
    if "id" not in header or "decision" not in header:
        raise ConfigError(f"{one_line(path)}: 决定文件缺少“编号”或“决定”列（表头应为 {'、'.join(COLUMNS)}）")
    rows: list[Decision] = []
    for n, cells in enumerate(table[1:], start=2):
        values = {name: read_cell(cell or "") for name, cell in zip(header, cells) if name}
        if not values.get("id", "").strip():
            continue
        values["decision"] = _decision_value(values.get("decision", ""), f"{one_line(path)} 第{n}行")
        rows.append(Decision(**{k: v.strip() if k != "note" else v for k, v in values.items()}))
    return rows


def apply_decisions(review: Review, rows: list[Decision], source: str) -> Review:
    by_file = {d.id: d for d in rows}
    raised = {f.id for f in review.findings}
    decisions = Decisions(
        source=source,
        by_id={f.id: by_file[f.id] for f in review.findings if f.id in by_file},
        resolved=[d for d in rows if d.id not in raised],
        new=[f.id for f in review.findings if f.id not in by_file],
    )
    return review.model_copy(update={"decisions": decisions})


def find_decisions(source: Path, explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"决定文件不存在：{one_line(explicit)}")
        return explicit
    path = decisions_path(source)
    return path if path.is_file() else None


def with_decisions(review: Review, source: Path, explicit: Path | None = None) -> Review:
    """The review with the decisions file beside `source` (or `explicit`) applied, if there is one."""
    path = find_decisions(source, explicit)
    if path is None:
        return review
    return apply_decisions(review, read_decisions(path), str(path))

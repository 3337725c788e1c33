"""Excel workbooks: the memo as a worklist (`--format xlsx`) and the batch summary (summary.xlsx).

    问题清单   one row per finding: 编号 严重程度 代码 指标 问题 位置 决定 备注; 决定 is a drop-down
              (采纳 / 不采纳 / 待定) and the sheet reads back as a decisions file (--decisions x.xlsx)
    评分表     one row per 三级指标: 分值 自评 重算 状态 说明, and an empty 核定分 column for the reviewer

Text cells go through `safe_cell` (no formulas from report text); figures stay numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from reviewer.errors import ConfigError, one_line
from reviewer.findings import severity_label
from reviewer.memo.cells import safe_cell
from reviewer.review import DECISION_VALUES, STATUS_LABEL, Review

FINDINGS_SHEET = "问题清单"
SCORES_SHEET = "评分表"
SUMMARY_SHEET = "汇总"
FINDINGS_COLUMNS = ["编号", "严重程度", "代码", "指标", "问题", "位置", "决定", "备注"]
SCORES_COLUMNS = ["一级指标", "二级指标", "三级指标", "分值", "自评", "重算", "状态", "说明", "核定分"]
_HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
_WIDTH = {"编号": 11, "严重程度": 9, "代码": 24, "指标": 22, "问题": 70, "位置": 30, "决定": 9, "备注": 30,
          "三级指标": 22, "说明": 60, "文件": 28, "部门": 26, "主要问题": 70}


def _sheet(wb: Workbook, title: str, columns: list[str], rows: list[list[object]], first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for i, name in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = _WIDTH.get(name, 12)
        if _WIDTH.get(name, 12) >= 30:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def review_workbook(review: Review) -> bytes:
    from reviewer.decisions import indicator_of

    decided = review.decisions
    rows = []
    for f in review.findings:
        d = decided.of(f.id) if decided else None
        rows.append([
            f.id, severity_label(f), f.code, indicator_of(f, review.report), f.message,
            f.location.describe(), d.decision if d else "待定", d.note if d else "",
        ])
    wb = Workbook()
    ws = _sheet(wb, FINDINGS_SHEET, FINDINGS_COLUMNS, rows, first=True)
    col = ws.cell(row=1, column=FINDINGS_COLUMNS.index("决定") + 1).column_letter
    choice = DataValidation(type="list", formula1='"' + ",".join(DECISION_VALUES) + '"', allow_blank=True)
    choice.error, choice.errorTitle = "请选择：采纳、不采纳 或 待定", "决定"
    ws.add_data_validation(choice)
    choice.add(f"{col}2:{col}{max(2, len(rows) + 1)}")

    by_row = {r.row_index: r for r in review.indicators}
    scores = []
    table = review.report.score_view()  # a national form's 执行率 and indicator rows too
    for row in table.rows if table is not None else []:
        result = by_row.get(row.index) or (by_row.get(min(row.shared_with)) if row.shared_with else None)
        scores.append([
            row.level1, row.level2, row.level3,
            row.points.value if row.points.known else row.points.raw,
            row.self_score.value if row.self_score.known else row.self_score.raw,
            result.recomputed if result and result.recomputed is not None else "",
            STATUS_LABEL[result.status] if result else STATUS_LABEL["not_checked"],
            result.working if result else "",
            None,  # 核定分: the reviewer's to fill
        ])
    _sheet(wb, SCORES_SHEET, SCORES_COLUMNS, scores)
    return _bytes(wb)


def summary_workbook(columns: list[str], rows: list[list[object]]) -> bytes:
    wb = Workbook()
    _sheet(wb, SUMMARY_SHEET, columns, rows, first=True)
    return _bytes(wb)


def read_findings_sheet(path: Path) -> list[list[str]]:
    """The 问题清单 sheet of a memo workbook as rows of text (header first), for read_decisions."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ConfigError(f"{one_line(path)}: 无法读取 Excel 文件：{type(exc).__name__}") from exc
    if FINDINGS_SHEET not in wb.sheetnames:
        raise ConfigError(f"{one_line(path)}: 没有“{FINDINGS_SHEET}”工作表")
    out = [["" if v is None else str(v) for v in row] for row in wb[FINDINGS_SHEET].iter_rows(values_only=True)]
    wb.close()
    return out

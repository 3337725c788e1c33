"""Locator for the 湖南 部门整体支出绩效自评报告 form (the seed's layout).

Every part is found by its labels, never by row numbers: departments add rows, drop blank
organisation rows, and WPS/LibreOffice exports shuffle merges. What cannot be found is
recorded in `Report.unread`, never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.ingest.docx_grid import Body, Cell, Grid
from reviewer.model import (
    MONEY_COLUMNS,
    Cover,
    Evaluator,
    Location,
    MoneyRow,
    MoneyTable,
    QualitativeTarget,
    Report,
    ScoreRow,
    ScoreTable,
    Section,
    Staff,
    TargetRow,
    Text,
    Unread,
)
from reviewer.numbers import compact, normalise, parse_number, squash

LAYOUT = "hunan-dept-overall"

MONEY_TITLES = {
    "income": ("收入合计", "年度收入情况"),
    "spending": ("支出合计", "年度支出和结余情况"),
    "sangong": ("三公经费合计", "三公经费"),
    "assets": ("固定资产合计", "固定资产"),
}

TARGET_KINDS = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济效益",
    "社会效益",
    "生态效益",
    "可持续影响",
    "满意度",
)

# Parts that make a document recognisably this form; a file with none of them is not one.
FORM_MARKERS = ("绩效自评", "定量目标", "评分标准", "自评得分", "整体支出绩效", "绩效目标")


@dataclass
class CellRef:
    grid: Grid
    row: int
    col: int
    cell: Cell

    def location(self, label: str) -> Location:
        return Location(table=self.grid.index, row=self.row, col=self.col, label=label)

    def text(self, label: str) -> Text:
        return Text(text=self.cell.text.strip(), location=self.location(label))


def _rows(body: Body):
    for grid in body.grids:
        for r in range(len(grid.rows)):
            yield grid, r


def _find_label(body: Body, *labels: str, exact: bool = True) -> CellRef | None:
    wanted = [squash(x) for x in labels]
    for grid, r in _rows(body):
        for c, cell in grid.distinct(r):
            s = cell.key
            if any((s == w) if exact else (w in s) for w in wanted):
                return CellRef(grid, r, c, cell)
    return None


def right_of(ref: CellRef) -> CellRef | None:
    row = ref.grid.distinct(ref.row)
    for i, (c, cell) in enumerate(row):
        if cell is ref.cell and i + 1 < len(row):
            nc, ncell = row[i + 1]
            return CellRef(ref.grid, ref.row, nc, ncell)
    return None


def _value_right_of(body: Body, label: str, what: str, report: Report) -> Text:
    ref = _find_label(body, label)
    if ref is None:
        report.unread.append(Unread(part=what, reason=f"未找到“{label}”栏"))
        return Text()
    value = right_of(ref)
    if value is None:
        report.unread.append(Unread(part=what, reason=f"“{label}”右侧没有填写栏", location=ref.location(label)))
        return Text()
    return value.text(what)


# ---------------------------------------------------------------- cover


_COVER_FIELDS = {
    "department": ("部门（单位）名称", "部门名称", "单位名称"),
    "budget_code": ("预算编码",),
    "method": ("评价方式",),
    "evaluator": ("评价机构",),
    "report_date": ("报告日期",),
}


def _read_cover(body: Body, report: Report) -> None:
    cover = Cover()
    for block in body.blocks:
        if isinstance(block, Grid):
            break  # the cover ends where the form's table starts
        text = block.text.strip()
        if not text:
            continue
        flat = normalise(text)
        loc = Location(paragraph=block.index)
        for key, labels in _COVER_FIELDS.items():
            for label in labels:
                m = re.match(rf"\s*{re.escape(normalise(label))}\s*[:：]\s*(.*)$", flat)
                if m and getattr(cover, key).blank:
                    setattr(cover, key, Text(text=m.group(1).strip(), location=loc.model_copy(update={"label": label})))
        if cover.title.blank and ("绩效" in text or "年度" in text):
            cover.title = Text(text=text, location=loc.model_copy(update={"label": "标题"}))
        elif "自评报告" in text and "标题" in cover.title.location.label:
            cover.title.text += text
    year = re.search(r"(20\d\d)\s*年度", cover.title.text)
    cover.year = int(year.group(1)) if year else None
    for key, labels in _COVER_FIELDS.items():
        if getattr(cover, key).blank:
            report.unread.append(Unread(part=f"封面：{labels[0]}", reason="封面未填写或未找到"))
    report.cover = cover


# ---------------------------------------------------------------- 基本概况


def _read_basics(body: Body, report: Report) -> None:
    report.contact = _value_right_of(body, "联系人", "联系人", report)
    report.phone = _value_right_of(body, "联络电话", "联络电话", report)
    quota = _value_right_of(body, "人员编制", "人员编制", report)
    actual = _value_right_of(body, "实有人数", "实有人数", report)
    report.staff = Staff(
        quota=parse_number(quota.text, quota.location, "人"),
        actual=parse_number(actual.text, actual.location, "人"),
    )
    report.duties = _value_right_of(body, "职能职责概述", "职能职责概述", report)
    work = _value_right_of(body, "年度主要工作内容", "年度主要工作内容", report)
    report.tasks = _split_tasks(work)
    overall_ref = _find_label(body, "总体运行情况", exact=False)
    if overall_ref is not None and (value := right_of(overall_ref)) is not None:
        report.overall = value.text("年度总体运行情况及取得的成绩")
    else:
        report.unread.append(Unread(part="年度总体运行情况及取得的成绩", reason="未找到该栏"))


def _split_tasks(work: Text) -> list[Text]:
    if work.blank:
        return []
    parts = [m for m in re.finditer(r"(?:任务|目标)\s*\d+\s*[:：].*?(?=(?:任务|目标)\s*\d+\s*[:：]|$)", work.text, re.S)]
    if not parts:
        return [work]
    return [
        Text(text=m.group(0).strip(), location=work.location.with_span(m.start(), m.end()).model_copy(update={"label": f"年度主要工作内容 任务{i + 1}"}))
        for i, m in enumerate(parts)
    ]


# ---------------------------------------------------------------- money tables


def _is_heading_row(grid: Grid, r: int) -> bool:
    cells = grid.distinct(r)
    return len(cells) == 1


def _read_money_tables(body: Body, report: Report) -> None:
    for grid in body.grids:
        r = 0
        while r < len(grid.rows):
            cells = grid.distinct(r)
            if cells and cells[0][1].key == "机构名称":
                r = _read_money_block(grid, r, report)
            else:
                r += 1
    for key, (label, _) in MONEY_TITLES.items():
        if key not in report.tables:
            report.unread.append(Unread(part=f"{label}表", reason="未找到该表（以“机构名称”开头、含“" + label + "”的表头）"))


def _read_money_block(grid: Grid, start: int, report: Report) -> int:
    name_cell = grid.rows[start][0]
    header_end = start
    while header_end + 1 < len(grid.rows) and grid.rows[header_end + 1][0] is name_cell:
        header_end += 1
    # The bottom-most meaningful label in each column names it ("其中：" only groups).
    labels: dict[int, Cell] = {}
    for c in range(grid.ncols):
        for r in range(header_end, start - 1, -1):
            cell = grid.rows[r][c]
            if cell is not None and cell.key not in ("", "其中:", "其中"):
                labels[c] = cell
                break
    header_text = squash(" ".join(cell.text for cell in {id(x): x for x in labels.values()}.values()))
    key = next((k for k, (total, _) in MONEY_TITLES.items() if total in header_text), None)
    if key is None:
        return header_end + 1
    names = MONEY_COLUMNS[key]
    columns: dict[str, int] = {}
    used: set[int] = set()
    for col_key, col_label in names.items():
        target = squash(col_label)
        for c, cell in labels.items():
            if id(cell) in used or c == 0:
                continue
            s = cell.key
            if s == target or (col_key != "other" and target in s) or (col_key == "other" and s.startswith("其他")):
                columns[col_key] = c
                used.add(id(cell))
                break
    title = _title_above(grid, start)
    # The form prints amounts in 万元; a department that switched to 元 says so in the title.
    unit = "元" if re.search(r"[（(]元[)）]", title) else "万元"
    rows: list[MoneyRow] = []
    r = header_end + 1
    while r < len(grid.rows):
        cells = grid.distinct(r)
        first = cells[0][1].key if cells else ""
        if not cells or len(cells) == 1 or first == "机构名称" or re.match(r"^[一二三四五六七八九十]+、", first):
            break
        name = cells[0][1].text.strip()
        loc = Location(table=grid.index, row=r, col=0, label=f"{MONEY_TITLES[key][1]}表 {name}")
        values = {}
        for col_key, c in columns.items():
            cell = grid.rows[r][c]
            raw = cell.text if cell is not None else ""
            values[col_key] = parse_number(
                raw, Location(table=grid.index, row=r, col=c, label=f"{MONEY_TITLES[key][1]}表 {name} {names[col_key]}"), unit
            )
        rows.append(MoneyRow(name=name, is_summary="汇总" in name or "合计" == squash(name), values=values, location=loc))
        r += 1
    missing = [names[k] for k in names if k not in columns]
    if missing:
        report.unread.append(
            Unread(part=f"{MONEY_TITLES[key][1]}表", reason="未找到列：" + "、".join(missing), location=Location(table=grid.index, row=start))
        )
    if key not in report.tables:
        report.tables[key] = MoneyTable(
            key=key,
            title=title or MONEY_TITLES[key][1],
            unit=unit,
            columns=[k for k in names if k in columns],
            rows=rows,
            location=Location(table=grid.index, row=start, label=f"{MONEY_TITLES[key][1]}表"),
        )
    return r


def _title_above(grid: Grid, start: int) -> str:
    if start > 0 and _is_heading_row(grid, start - 1):
        return grid.rows[start - 1][0].text.strip() if grid.rows[start - 1][0] else ""
    return ""


# ---------------------------------------------------------------- targets


def _header_columns(grid: Grid, r: int, *labels: str, skip: Cell | None = None) -> dict[str, int]:
    """Grid column of each header label in row r; an exact label wins over a cell that only contains it."""
    out: dict[str, int] = {}
    cells = [(c, cell, cell.key) for c, cell in grid.distinct(r) if cell is not skip]
    for label in labels:
        want = squash(label)
        exact = next((c for c, _, s in cells if s == want), None)
        out_c = exact if exact is not None else next((c for c, _, s in cells if want in s), None)
        if out_c is not None:
            out[label] = out_c
    return out


def _read_qualitative(body: Body, report: Report) -> None:
    ref = _find_label(body, "定性目标", exact=False)
    if ref is None:
        report.unread.append(Unread(part="定性目标", reason="未找到“定性目标”栏"))
        return
    grid = ref.grid
    cols = _header_columns(grid, ref.row, "预期目标", "实际完成", skip=ref.cell)
    if len(cols) < 2:
        report.unread.append(Unread(part="定性目标", reason="未找到“预期目标/实际完成”表头", location=ref.location("定性目标")))
        return
    r = ref.row + 1
    while r < len(grid.rows) and grid.rows[r][0] is ref.cell:
        exp, act = grid.rows[r][cols["预期目标"]], grid.rows[r][cols["实际完成"]]
        report.qualitative.append(
            QualitativeTarget(
                expected=Text(text=exp.text.strip() if exp else "", location=Location(table=grid.index, row=r, col=cols["预期目标"], label="定性目标 预期目标")),
                actual=Text(text=act.text.strip() if act else "", location=Location(table=grid.index, row=r, col=cols["实际完成"], label="定性目标 实际完成")),
            )
        )
        r += 1


# The form has 8–20 indicator rows; past this many the rest are listed as not read (each row is
# compared with every other field for copying, so the cap bounds the whole narrative pass).
MAX_TARGET_ROWS = 2_000


def _read_targets(body: Body, report: Report) -> None:
    ref = _find_label(body, "定量目标", exact=False)
    if ref is None:
        report.unread.append(Unread(part="定量目标", reason="未找到“定量目标”栏"))
        return
    grid = ref.grid
    cols = _header_columns(grid, ref.row, "评价内容", "绩效目标", "完成情况", skip=ref.cell)
    if "绩效目标" not in cols or "完成情况" not in cols:
        report.unread.append(Unread(part="定量目标", reason="未找到“绩效目标/完成情况”表头", location=ref.location("定量目标")))
        return
    content_col = cols.get("评价内容", 1)
    r = ref.row + 1
    while r < len(grid.rows) and grid.rows[r][0] is ref.cell:
        if len(report.targets) == MAX_TARGET_ROWS:
            more = sum(1 for rr in range(r, len(grid.rows)) if grid.rows[rr][0] is ref.cell)
            report.unread.append(Unread(
                part="定量目标",
                reason=f"指标行过多（共 {MAX_TARGET_ROWS + more} 行），只审核了前 {MAX_TARGET_ROWS} 行",
                location=Location(table=grid.index, row=r, label="定量目标"),
            ))
            break
        distinct = [(c, cell) for c, cell in grid.distinct(r) if c >= content_col and c < cols["绩效目标"]]
        category_cell = distinct[0][1] if distinct else None
        kind_cell = distinct[-1][1] if len(distinct) > 1 else None
        category = category_cell.text.strip().split("\n")[0].strip() if category_cell else ""
        kind = compact(kind_cell.text) if kind_cell else ""
        tgt, comp = grid.rows[r][cols["绩效目标"]], grid.rows[r][cols["完成情况"]]
        label = kind or category or f"第{len(report.targets) + 1}项"
        report.targets.append(
            TargetRow(
                index=len(report.targets),
                category=compact(category),
                kind=label,
                target=Text(text=tgt.text.strip() if tgt else "", location=Location(table=grid.index, row=r, col=cols["绩效目标"], label=f"定量目标 {label} 绩效目标")),
                completion=Text(text=comp.text.strip() if comp else "", location=Location(table=grid.index, row=r, col=cols["完成情况"], label=f"定量目标 {label} 完成情况")),
                location=Location(table=grid.index, row=r, label=f"定量目标 {label}"),
            )
        )
        r += 1
    if not report.targets:
        report.unread.append(Unread(part="定量目标", reason="表头之后没有指标行", location=ref.location("定量目标")))


def _read_result(body: Body, report: Report) -> None:
    score = _value_right_of(body, "绩效自评综合得分", "绩效自评综合得分", report)
    report.total_score = parse_number(score.text, score.location, "分")
    report.grade = _value_right_of(body, "评价等次", "评价等次", report)


def _read_evaluators(body: Body, report: Report) -> None:
    ref = _find_label(body, "姓名")
    if ref is None:
        report.unread.append(Unread(part="评价人员", reason="未找到“姓名”表头"))
        return
    grid = ref.grid
    cols = _header_columns(grid, ref.row, "职务", "单位")
    for r in range(ref.row + 1, len(grid.rows)):
        cells = grid.distinct(r)
        if len(cells) < 2:
            break
        name = squash(grid.rows[r][ref.col].text) if grid.rows[r][ref.col] else ""
        if not name:
            continue
        def at(label: str) -> str:
            c = cols.get(label)
            cell = grid.rows[r][c] if c is not None else None
            return cell.text.strip() if cell else ""
        report.evaluators.append(
            Evaluator(name=name, title=at("职务"), unit=at("单位"), location=Location(table=grid.index, row=r, col=ref.col, label="评价人员"))
        )


# ---------------------------------------------------------------- 评价报告综述


# A 综述 runs to a few dozen paragraphs; past this many the rest is listed as unread, not parsed.
MAX_NARRATIVE_PARAGRAPHS = 5_000

_NUMBERED = re.compile(r"^\s*([一二三四五六七八九十]+)\s*[、.．]\s*(.+?)\s*$")
_UNNUMBERED_HEADING = re.compile(r"^[^（(，。；：,;:][^，。；：,;:]{1,19}情况$")


def _narrative_paragraphs(body: Body) -> list[Text]:
    """The 评价报告综述 paragraphs, wherever the department put them (a cell or the body)."""
    ref = _find_label(body, "评价报告综述", exact=False)
    out: list[Text] = []
    if ref is not None:
        for i, p in enumerate(ref.cell.paragraphs):
            out.append(Text(text=p, location=Location(table=ref.grid.index, row=ref.row, col=ref.col, paragraph=i, label="评价报告综述")))
        return out
    # Some exports put the 综述 after the table as body paragraphs.
    started = False
    for p in body.paragraphs:
        if "评价报告综述" in p.text:
            started = True
        if started:
            out.append(Text(text=p.text, location=Location(paragraph=p.index, label="评价报告综述")))
    return out


def _read_sections(body: Body, report: Report) -> None:
    paragraphs = _narrative_paragraphs(body)
    if not paragraphs:
        report.unread.append(Unread(part="评价报告综述", reason="未找到“评价报告综述”"))
        return
    if len(paragraphs) > MAX_NARRATIVE_PARAGRAPHS:
        report.unread.append(
            Unread(
                part="评价报告综述",
                reason=f"段落过多（{len(paragraphs)} 段），只读取了前 {MAX_NARRATIVE_PARAGRAPHS} 段",
                location=paragraphs[MAX_NARRATIVE_PARAGRAPHS].location,
            )
        )
        paragraphs = paragraphs[:MAX_NARRATIVE_PARAGRAPHS]
    current: Section | None = None
    for para in paragraphs:
        text = para.text.strip()
        if not text or "评价报告综述" in text:
            continue
        if "评分表" in text and len(text) < 30:
            break  # the 评分表 title follows the 综述 in some files
        # Length first: `(.+?)\s*$` is quadratic on a long run of spaces, and headings are short.
        m = _NUMBERED.match(text) if len(text) <= 40 else None
        if m:
            current = Section(number=m.group(1), heading=m.group(2).strip(), paragraphs=[], location=para.location.model_copy(update={"label": f"{m.group(1)}、{m.group(2).strip()}"}))
            report.sections.append(current)
        elif _UNNUMBERED_HEADING.match(text):
            current = Section(number="", heading=text, paragraphs=[], location=para.location.model_copy(update={"label": text}))
            report.sections.append(current)
        elif current is not None:
            current.paragraphs.append(para.model_copy(update={"location": para.location.model_copy(update={"label": f"{current.location.label}"})}))


_IN_SERVICE = re.compile(r"在职(?:人员|人数|干部|职工)?(?:为|共)?\s*(\d+)\s*人")
_RETIRED = re.compile(r"(?:离休|退休)(?:干部|人员|职工)?(?:为|共)?\s*(\d+)\s*人")


def _read_staff_from_narrative(report: Report) -> None:
    texts = [p for s in report.sections for p in s.paragraphs] + [report.overall]
    for para in texts:
        flat = normalise(para.text)
        m = _IN_SERVICE.search(flat)
        if m and not report.staff.in_service.known:
            report.staff.in_service = parse_number(m.group(1), para.location.with_span(m.start(), m.end()).model_copy(update={"label": "在职人员（评价报告综述）"}), "人")
        retired = list(_RETIRED.finditer(flat))
        if retired and not report.staff.retired.known:
            total = sum(int(x.group(1)) for x in retired)
            report.staff.retired = parse_number(str(total), para.location.with_span(retired[0].start(), retired[-1].end()).model_copy(update={"label": "离退休人员（评价报告综述）"}), "人")
    if not report.staff.in_service.known:
        report.unread.append(Unread(part="在职人员", reason="评价报告综述中未找到“在职人员N人”"))


# ---------------------------------------------------------------- 评分表


SCORE_HEADERS = ("一级指标", "二级指标", "三级指标", "评分标准", "分值", "自评得分", "扣分原因")


def _is_score_header(grid: Grid, r: int) -> dict[str, int] | None:
    cols = _header_columns(grid, r, *SCORE_HEADERS)
    return cols if {"三级指标", "分值", "自评得分"} <= cols.keys() else None


def _read_score_table(body: Body, report: Report) -> None:
    rows: list[ScoreRow] = []
    table = None
    for grid in body.grids:
        cols: dict[str, int] | None = None
        last_level2 = ""
        for r in range(len(grid.rows)):
            header = _is_score_header(grid, r)
            if header:
                cols = header  # a header repeated at a page break only resets the columns
                if table is None:
                    table = ScoreTable(rows=[], location=Location(table=grid.index, row=r, label="评分表"))
                continue
            if cols is None:
                continue
            first = grid.rows[r][0].key if grid.rows[r][0] else ""
            if first.startswith("总分") or first in ("合计", "总计"):
                _read_score_totals(grid, r, cols, table)
                continue
            row = _score_row(grid, r, cols, len(rows), last_level2)
            if row is None:
                continue
            last_level2 = row.level2
            rows.append(row)
            _group_shared_points(rows, grid, r, cols["分值"])
    if table is None:
        report.unread.append(Unread(part="评分表", reason="未找到评分表（表头含“三级指标/分值/自评得分”）"))
        return
    table.rows = rows
    report.score_table = table
    if not rows:
        report.unread.append(Unread(part="评分表", reason="评分表没有指标行", location=table.location))
    if not table.total_self_score.known:
        report.unread.append(Unread(part="评分表 总分", reason="未找到或无法读取总分行", location=table.location))


def _read_score_totals(grid: Grid, r: int, cols: dict[str, int], table: ScoreTable) -> None:
    for name, attr in (("分值", "total_points"), ("自评得分", "total_self_score")):
        c = cols[name]
        cell = grid.rows[r][c]
        setattr(table, attr, parse_number(cell.text if cell else "", Location(table=grid.index, row=r, col=c, label=f"评分表 总分 {name}"), "分"))


def _score_row(grid: Grid, r: int, cols: dict[str, int], idx: int, last_level2: str) -> ScoreRow | None:
    """The 评分表 row at grid row r, or None when it names no 三级指标."""
    def text_at(name: str) -> str:
        c = cols.get(name)
        cell = grid.rows[r][c] if c is not None else None
        return cell.text.strip() if cell else ""

    level3 = compact(text_at("三级指标"))
    if not level3:
        return None
    # A stray full-width space where a merged cell should be: keep the group above.
    level2 = compact(text_at("二级指标")) or last_level2
    row_label = f"评分表 {level3}"
    values = {}
    for name in ("分值", "自评得分"):
        c = cols[name]
        cell = grid.rows[r][c]
        shared = cell is not None and r > 0 and grid.rows[r - 1][c] is cell and cell.row < r
        raw = "" if shared else (cell.text if cell else "")
        values[name] = parse_number(raw, Location(table=grid.index, row=r, col=c, label=f"{row_label} {name}"), "分")
    c_reason = cols.get("扣分原因")
    reason_cell = grid.rows[r][c_reason] if c_reason is not None else None
    reason_shared = reason_cell is not None and reason_cell.row < r
    return ScoreRow(
        index=idx,
        level1=compact(text_at("一级指标")),
        level2=level2,
        level3=level3,
        criteria=text_at("评分标准"),
        points=values["分值"],
        self_score=values["自评得分"],
        reason=Text(
            text="" if reason_shared else (reason_cell.text.strip() if reason_cell else ""),
            location=Location(table=grid.index, row=r, col=c_reason, label=f"{row_label} 扣分原因"),
        ),
        location=Location(table=grid.index, row=r, label=row_label),
    )


def _group_shared_points(rows: list[ScoreRow], grid: Grid, r: int, c_points: int) -> None:
    """Rows sharing one merged 分值 cell form a group scored together."""
    points_cell = grid.rows[r][c_points]
    if points_cell is not None and points_cell.row < r:
        group = [x for x in rows if x.location.table == grid.index and grid.rows[x.location.row][c_points] is points_cell]
        ids = [x.index for x in group]
        for x in group:
            x.shared_with = ids


# ---------------------------------------------------------------- entry


def looks_like_form(body: Body) -> bool:
    text = "".join(p.text for p in body.paragraphs[:50])
    for grid in body.grids[:5]:
        for r in range(min(len(grid.rows), 80)):
            text += "".join(cell.text for _, cell in grid.distinct(r))
            if len(text) > 200_000:
                break
    flat = squash(text)
    return sum(marker in flat for marker in FORM_MARKERS) >= 2


def read_report(body: Body, source: str) -> Report:
    report = Report(source=source, layout=LAYOUT)
    _read_cover(body, report)
    _read_basics(body, report)
    _read_money_tables(body, report)
    _read_qualitative(body, report)
    _read_targets(body, report)
    _read_result(body, report)
    _read_evaluators(body, report)
    _read_sections(body, report)
    _read_staff_from_narrative(report)
    _read_score_table(body, report)
    return report

"""The label-driven locator for the national 绩效自评表 layouts (财政部2020 项目/部门整体, 银川, 四川, 重庆 …).

One reader for every `table-form` layout: the layout description (reviewer/data/layouts) says
which labels mark each field, block and column; this module only knows the shapes the forms
share — a label with its value to the right, a block whose anchor cell spans its rows with a
header row of column labels, and an indicator table that runs from its header row to its 总分
row. What cannot be found is recorded in `Report.unread`, never raised.
"""

from __future__ import annotations

import re

from reviewer.ingest.docx_grid import Body, Cell, Grid
from reviewer.ingest.hunan_form import CellRef as _Ref
from reviewer.ingest.hunan_form import right_of  # a label's value is the next cell, on every layout
from reviewer.ingest.layouts import FundingSpec, IndicatorSpec, Layout, PairSpec, label_key
from reviewer.values import parse_value
from reviewer.model import (
    Cover,
    Funding,
    FundingRow,
    GoalPair,
    IndicatorRow,
    Location,
    Number,
    Report,
    Staff,
    TargetRow,
    Text,
    Unread,
)
from reviewer.numbers import compact, normalise, parse_number, squash

MAX_INDICATOR_ROWS = 2_000  # a form has a few dozen; past this the rest is listed as unread


def _matches(cell: Cell, variants: list[str]) -> bool:
    key = label_key(cell.text)
    return any(key == label_key(v) for v in variants)


def _find(body: Body, variants: list[str]) -> _Ref | None:
    for grid in body.grids:
        for r in range(len(grid.rows)):
            for c, cell in grid.distinct(r):
                if len(cell.key) <= 40 and _matches(cell, variants):
                    return _Ref(grid, r, c, cell)
    return None


def _text(grid: Grid, r: int, c: int | None, label: str) -> Text:
    cell = grid.rows[r][c] if c is not None else None
    return Text(text=cell.text.strip() if cell else "", location=Location(table=grid.index, row=r, col=c, label=label))


def _span_rows(ref: _Ref) -> range:
    """The rows the anchor cell covers (a vertically merged block label)."""
    end = ref.row
    while end + 1 < len(ref.grid.rows) and ref.grid.rows[end + 1][ref.col] is ref.cell:
        end += 1
    return range(ref.row, end + 1)


def _header_columns(grid: Grid, r: int, columns: dict[str, list[str]], skip: Cell | None = None) -> dict[str, int]:
    """Grid column of each column key whose label is in row r; each cell serves one key."""
    out: dict[str, int] = {}
    used: set[int] = set()
    cells = [(c, cell) for c, cell in grid.distinct(r) if cell is not skip]
    for key, variants in columns.items():
        for c, cell in cells:
            if id(cell) not in used and _matches(cell, variants):
                out[key] = c
                used.add(id(cell))
                break
    return out


# ---------------------------------------------------------------- fields


def _read_fields(body: Body, layout: Layout, report: Report) -> None:
    found: dict[str, Text] = {}
    for key, variants in layout.fields.items():
        ref = _find(body, variants)
        value = right_of(ref) if ref else None
        if value is None:
            report.unread.append(Unread(part=variants[0], reason=f"未找到“{variants[0]}”栏"))
            continue
        found[key] = Text(text=value.cell.text.strip(), location=Location(table=value.grid.index, row=value.row, col=value.col, label=variants[0]))
    cover = Cover(department=found.get("department", Text()))
    titles = [p for p in body.paragraphs[:10] if p.text.strip()]
    if titles:
        cover.title = Text(text=titles[0].text.strip(), location=Location(paragraph=titles[0].index, label="标题"))
    for p in titles[:4]:
        m = re.search(r"(20\d\d)\s*年度", normalise(p.text))
        if m:
            cover.year = int(m.group(1))
            break
    report.cover = cover
    report.project = found.get("project", Text())
    report.implementer = found.get("implementer", Text())
    report.contact = found.get("contact", Text())
    report.phone = found.get("phone", Text())
    report.duties = found.get("duties", Text())
    staff = Staff()
    for key, attr in (("staff_quota", "quota"), ("staff_actual", "actual"), ("staff_in_service", "in_service")):
        if key in found:
            setattr(staff, attr, parse_number(found[key].text, found[key].location, "人"))
    report.staff = staff


# ---------------------------------------------------------------- funding


def _read_funding(body: Body, spec: FundingSpec, report: Report) -> None:
    ref = _find(body, spec.anchor)
    if ref is None:
        report.unread.append(Unread(part=spec.anchor[0], reason=f"未找到“{spec.anchor[0]}”栏"))
        return
    grid, rows = ref.grid, _span_rows(ref)
    header, cols = None, {}
    for r in rows:
        cols = _header_columns(grid, r, spec.columns, skip=ref.cell)
        if len(cols) >= 2:
            header = r
            break
    title = compact(ref.cell.text)
    if header is None:
        report.unread.append(Unread(part=title, reason="未找到预算数/执行数表头", location=Location(table=grid.index, row=ref.row, label=title)))
        return
    amount_cols = [cols[k] for k in ("initial", "budget", "spent") if k in cols]
    first_value = min(amount_cols) if amount_cols else grid.ncols
    unit = "元" if re.search(r"[（(]元[)）]", ref.cell.text) else "万元"
    funding = Funding(title=title, unit=unit, rows=[], location=Location(table=grid.index, row=ref.row, label=title))
    data_rows = [r for r in rows if r > header]
    for r in data_rows:
        names = [cell for c, cell in grid.distinct(r) if c < first_value and cell is not ref.cell and cell.key]
        name = compact(names[0].text) if names else ""
        is_total = not name or any(label_key(name) == label_key(v) for v in spec.total_row)
        label = f"{title} {name or '合计'}"
        values = {
            k: parse_number(grid.rows[r][c].text if grid.rows[r][c] else "", Location(table=grid.index, row=r, col=c, label=f"{label} {spec.columns[k][0]}"), unit)
            for k, c in cols.items() if k in ("initial", "budget", "spent")
        }
        funding.rows.append(FundingRow(name=name or "年度资金总额", is_total=is_total and not any(x.is_total for x in funding.rows), values=values, location=Location(table=grid.index, row=r, label=label)))
        if funding.rows[-1].is_total:
            for k, attr, u in (("points", "points", "分"), ("rate", "rate", "%"), ("score", "score", "分")):
                if k in cols:
                    cell = grid.rows[r][cols[k]]
                    setattr(funding, attr, parse_number(cell.text if cell else "", Location(table=grid.index, row=r, col=cols[k], label=f"{title} 预算执行率 {spec.columns[k][0]}"), u))
            if "reason" in cols:
                funding.reason = _text(grid, r, cols["reason"], f"{title} 预算执行率 {spec.columns['reason'][0]}")
    if not funding.rows:
        report.unread.append(Unread(part=title, reason="表头之后没有金额行", location=funding.location))
    report.funding = funding


# ---------------------------------------------------------------- target / completion pairs


def _read_pairs(body: Body, spec: PairSpec, report: Report, kind: str) -> None:
    ref = _find(body, spec.anchor)
    part = compact(spec.anchor[0])
    if ref is None:
        report.unread.append(Unread(part=part, reason=f"未找到“{part}”栏"))
        return
    grid, rows = ref.grid, _span_rows(ref)
    columns = {"expected": spec.expected, "actual": spec.actual} | ({"name": spec.name} if spec.name else {})
    header, cols = None, {}
    for r in rows:
        cols = _header_columns(grid, r, columns, skip=ref.cell)
        if {"expected", "actual"} <= cols.keys():
            header = r
            break
    if header is None:
        report.unread.append(Unread(part=part, reason=f"未找到“{spec.expected[0]}/{spec.actual[0]}”表头", location=Location(table=grid.index, row=ref.row, label=part)))
        return
    before = len(report.goals)
    for r in rows:
        if r <= header:
            continue
        name = compact(_text(grid, r, cols.get("name"), "").text) if "name" in cols else ""
        full = f"{part}：{name}" if name else part
        expected = _text(grid, r, cols["expected"], f"{full} {spec.expected[0]}")
        actual = _text(grid, r, cols["actual"], f"{full} {spec.actual[0]}")
        if expected.blank and actual.blank and not name:
            continue
        report.goals.append(GoalPair(kind=kind, name=full, expected=expected, actual=actual, location=Location(table=grid.index, row=r, label=full)))
    if len(report.goals) == before:
        report.unread.append(Unread(part=part, reason="表头之后没有内容行", location=Location(table=grid.index, row=header, label=part)))


# ---------------------------------------------------------------- indicators


REQUIRED_INDICATOR_COLUMNS = {"level3", "actual", "points", "score"}


def _indicator_header(body: Body, spec: IndicatorSpec) -> tuple[Grid, int, dict[str, int]] | None:
    for grid in body.grids:
        for r in range(len(grid.rows)):
            cols = _header_columns(grid, r, spec.columns)
            if REQUIRED_INDICATOR_COLUMNS <= cols.keys() and ("target" in cols or "initial_target" in cols):
                return grid, r, cols
    return None


def _is_total_row(grid: Grid, r: int, spec: IndicatorSpec, first_col: int) -> bool:
    cells = [cell for c, cell in grid.distinct(r) if c <= first_col]
    return any(_matches(cell, spec.total_row) or label_key(cell.text).startswith("总分") for cell in cells)


def _indicator_row(grid: Grid, r: int, cols: dict[str, int], label_of: dict[str, str], level3: str, index: int) -> IndicatorRow:
    """One 绩效指标 row, its variant columns folded in (调整/年初指标值, 度量单位, 指标性质)."""
    def text(key: str) -> Text:
        return _text(grid, r, cols.get(key), f"绩效指标 {level3} {label_of.get(key, key)}")

    def number(key: str, unit: str) -> Number:
        t = text(key)
        return parse_number(t.text, t.location, unit)
    target, initial = text("target"), None
    if "initial_target" in cols:
        initial = text("initial_target")
        if "target" not in cols or target.blank:
            target, initial = initial, None
    actual = text("actual")
    target_parsed, actual_parsed = parse_value(target.text), parse_value(actual.text)
    if "unit" in cols:  # 四川: the unit has its own column; the values are bare numbers
        unit = compact(text("unit").text)
        if unit:
            if target_parsed.kind == "number" and not target_parsed.unit:
                target_parsed = parse_value(target.text + unit)
            if actual_parsed.kind == "number" and not actual_parsed.unit:
                actual_parsed = parse_value(actual.text + unit)
    if "comparator" in cols and not target_parsed.comparator:  # 四川 指标性质
        nature = squash(text("comparator").text)
        symbol = {"≥": "≥", ">=": "≥", "≤": "≤", "<=": "≤", "=": "=", "正向": "≥", "反向": "≤"}.get(nature)
        if symbol and target_parsed.kind == "number":
            # read as one figure, "≥1200人次", so messages show what the row asks
            target_parsed = parse_value(symbol + target_parsed.raw)
    return IndicatorRow(
        index=index,
        level1=compact(text("level1").text),
        level2=compact(text("level2").text),
        level3=level3,
        target=target,
        target_parsed=target_parsed,
        initial_target=initial,
        actual=actual,
        actual_parsed=actual_parsed,
        points=number("points", "分"),
        score=number("score", "分"),
        coefficient=number("coefficient", "") if "coefficient" in cols else None,
        reason=text("reason"),
        location=Location(table=grid.index, row=r, label=f"绩效指标 {level3}"),
    )


def _read_indicators(body: Body, spec: IndicatorSpec, report: Report) -> None:
    found = _indicator_header(body, spec)
    if found is None:
        report.unread.append(Unread(part="绩效指标", reason="未找到绩效指标表头（三级指标/指标值/实际值/分值/得分）"))
        return
    grid, header, cols = found
    label_of = {k: spec.columns[k][0] for k in spec.columns}
    first_col = min(cols.get(k, grid.ncols) for k in ("level1", "level2", "level3"))
    header_at, position, start = (grid.index, header), body.grids.index(grid), header + 1
    while True:
        ended = False
        for r in range(start, len(grid.rows)):
            if _is_total_row(grid, r, spec, first_col):
                for key, attr in (("points", "indicator_points"), ("score", "indicator_total")):
                    cell = grid.rows[r][cols[key]]
                    setattr(report, attr, parse_number(cell.text if cell else "", Location(table=grid.index, row=r, col=cols[key], label=f"总分 {label_of[key]}"), "分"))
                ended = True
                break
            if _header_columns(grid, r, spec.columns).keys() >= REQUIRED_INDICATOR_COLUMNS:
                continue  # the header repeated at a page break
            level3 = compact(_text(grid, r, cols.get("level3"), "").text)
            if not level3:
                if len(grid.distinct(r)) <= 2:
                    ended = True
                    break  # a heading or a note row ends the table
                continue
            if len(report.indicators) >= MAX_INDICATOR_ROWS:
                report.unread.append(Unread(part="绩效指标", reason=f"指标行过多，只读取了前 {MAX_INDICATOR_ROWS} 行", location=Location(table=grid.index, row=r)))
                ended = True
                break
            report.indicators.append(_indicator_row(grid, r, cols, label_of, level3, len(report.indicators)))

        if ended:
            break
        # The table goes on in the next one (a page break saved as two tables): with the header
        # repeated, or with the same columns and a 分值 where this table has it.
        nxt = body.grids[position + 1] if position + 1 < len(body.grids) else None
        if nxt is None or not nxt.rows:
            break
        again = _header_columns(nxt, 0, spec.columns)
        if REQUIRED_INDICATOR_COLUMNS <= again.keys():
            cols, start = again, 1
        elif nxt.ncols == grid.ncols and nxt.rows[0][cols["points"]] is not None and parse_number(nxt.rows[0][cols["points"]].text).known:
            start = 0
        else:
            break
        grid, position = nxt, position + 1
        first_col = min(cols.get(k, grid.ncols) for k in ("level1", "level2", "level3"))
    if not report.indicators:
        report.unread.append(Unread(part="绩效指标", reason="表头之后没有指标行", location=Location(table=header_at[0], row=header_at[1], label="绩效指标")))
    if not report.indicator_total.known:
        report.unread.append(Unread(part="绩效指标 总分", reason="未找到或无法读取总分行", location=Location(table=header_at[0], row=header_at[1], label="总分")))


# ---------------------------------------------------------------- conclusion


_GRADE = re.compile(r"(?:评价等[级次]|等[级次])\s*(?:为|是|:|：)?\s*[“\"「]?(优秀|良好|中等|较差|优|良|中|差)")


def _read_conclusion(body: Body, variants: list[str], report: Report) -> None:
    ref = _find(body, variants)
    value = right_of(ref) if ref else None
    if value is None:
        report.unread.append(Unread(part=variants[0], reason=f"未找到“{variants[0]}”栏"))
        return
    loc = Location(table=value.grid.index, row=value.row, col=value.col, label=variants[0])
    report.conclusion = Text(text=value.cell.text.strip(), location=loc)
    m = _GRADE.search(report.conclusion.text)
    if m:
        report.grade = Text(text=m.group(1), location=loc.with_span(m.start(1), m.end(1)).model_copy(update={"label": f"{variants[0]} 评价等级"}))
    score = re.search(r"得分\s*(\d+(?:\.\d+)?)\s*分", report.conclusion.text)
    if score:
        report.total_score = parse_number(score.group(1), loc.with_span(score.start(1), score.end(1)).model_copy(update={"label": f"{variants[0]} 得分"}), "分")


# ---------------------------------------------------------------- entry


def target_rows(report: Report) -> list[TargetRow]:
    """The 年度主要任务 / 年度总体目标 pairs, then the 绩效指标 rows, as the target rows the narrative
    rules and the LLM judge take (each indicator row: 年度指标值 → target, 实际完成值 → completion)."""
    rows = [
        TargetRow(index=i, category=g.name.split("：")[0], kind=g.name, target=g.expected, completion=g.actual, location=g.location)
        for i, g in enumerate(report.goals)
    ]
    for ind in report.indicators:
        rows.append(TargetRow(
            index=len(rows), category=ind.level1, kind=ind.name, target=ind.target, completion=ind.actual,
            location=ind.location, indicator=ind.index,
        ))
    return rows


def read_table_form(body: Body, layout: Layout, source: str) -> Report:
    report = Report(source=source, layout=layout.name)
    _read_fields(body, layout, report)
    if layout.funding:
        _read_funding(body, layout.funding, report)
    if layout.tasks:
        _read_pairs(body, layout.tasks, report, "task")
    if layout.goals:
        _read_pairs(body, layout.goals, report, "goal")
    if layout.indicators:
        _read_indicators(body, layout.indicators, report)
    if layout.conclusion:
        _read_conclusion(body, layout.conclusion, report)
    if not report.total_score.known and report.indicator_total.known:
        report.total_score = report.indicator_total  # the form's only total is the 总分 row
    report.targets = target_rows(report)
    return report

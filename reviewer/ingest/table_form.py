"""The role-driven locator for the national 绩效自评表 (财政部2020 项目/部门整体, 银川, 四川, 重庆, and the
generic 自评表 no layout names).

Every part is found by the roles of its header cells (reviewer/ingest/header_roles.py, words in
reviewer/data/header_roles.yaml; a layout file adds words): the indicator table wherever a row
covers name + target + actual + points or score (a title row above it and a header split over two
rows included), the funding block by its label or by its header (values below the header or on the
label's row), the goal block by its 预期目标/完成情况 header. What cannot be found is recorded in
`Report.unread` naming the roles that are missing and the header cells seen, never raised.
"""

from __future__ import annotations

import re

from reviewer.ingest.docx_grid import Body, Cell, Grid
from reviewer.ingest.header_roles import (
    Header,
    assign,
    best_partial_header,
    classify,
    find_header,
    norm,
    role_name,
    row_cells,
    strip_numbering,
    vocabulary,
)
from reviewer.ingest.hunan_form import CellRef as _Ref
from reviewer.ingest.hunan_form import right_of  # a label's value is the next cell, on every layout
from reviewer.ingest.layouts import Layout
from reviewer.model import (
    Cover,
    Funding,
    FundingRow,
    GoalPair,
    HeaderRole,
    IndicatorRow,
    Location,
    Number,
    Report,
    Section,
    Staff,
    TargetRow,
    Text,
    Unread,
)
from reviewer.numbers import NONE_MARKS, compact, normalise, parse_number, squash
from reviewer.values import parse_value

MAX_INDICATOR_ROWS = 2_000  # a form has a few dozen; past this the rest is listed as unread
SCAN_GRIDS = 8  # the indicator table of a 自评表 is in its first tables
MAX_LABEL_CHARS = 40


def _exact(cell: Cell, words: list[str]) -> bool:
    key = norm(cell.text)
    return bool(key) and any(key == norm(w) for w in words)


def _find(body: Body, words: list[str]) -> _Ref | None:
    wanted = {norm(w) for w in words} - {""}
    for grid in body.grids:
        for r in range(len(grid.rows)):
            for c, cell in grid.distinct(r):
                if len(cell.key) <= MAX_LABEL_CHARS and cell.row == r and norm(cell.text) in wanted:
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


def _record(report: Report, block: str, header: Header) -> None:
    for s in header.seen:
        if s.text:
            report.header_roles.append(HeaderRole(
                block=block, text=s.text, role=s.role,
                location=Location(table=header.grid.index, row=s.row, col=s.col, label=f"{block} 表头"),
            ))


def _seen_text(header: Header | None) -> str:
    if header is None:
        return ""
    cells = "、".join(f"“{s.text}”{'→' + role_name(s.role) if s.role else ''}" for s in header.seen if s.text)
    return f"；表头第{header.first + 1}行（表{header.grid.index + 1}）读到：{cells}" if cells else ""


def _money(text: str, location: Location, unit: str) -> Number:
    """An amount as printed: "150万" in a 万元 block is 150."""
    s = squash(text)
    if unit == "万元" and s.endswith("万") and not s.endswith("万元"):
        text = s + "元"
    return parse_number(text, location, unit)


# ---------------------------------------------------------------- fields


def _fields(layout: Layout) -> dict[str, list[str]]:
    base = {k: list(v) for k, v in (vocabulary().top("fields") or {}).items()}
    for key, words in layout.fields.items():
        base[key] = list(words) + [w for w in base.get(key, []) if w not in words]
    return base


def _read_fields(body: Body, layout: Layout, report: Report) -> None:
    found: dict[str, Text] = {}
    for key, words in _fields(layout).items():
        for word in words:
            ref = _find(body, [word])
            value = right_of(ref) if ref else None
            if value is not None:
                found[key] = Text(text=value.cell.text.strip(), location=Location(table=value.grid.index, row=value.row, col=value.col, label=compact(ref.cell.text)))
                break
        if key not in found and (key in layout.fields or key == "department"):
            words = _fields(layout)[key]
            report.unread.append(Unread(part=words[0], reason=f"未找到“{'/'.join(words[:3])}”栏"))
    department = found.get("department", Text())
    if department.blank and not found.get("implementer", Text()).blank:
        department = found["implementer"]  # a blank 主管部门: the 实施单位 is the department that reports
    cover = Cover(department=department)
    titles = [p for p in body.paragraphs[:10] if p.text.strip()]
    title = next((p for p in titles if "自评" in p.text or "绩效" in p.text), titles[0] if titles else None)
    if title is not None:
        cover.title = Text(text=title.text.strip(), location=Location(paragraph=title.index, label="标题"))
    for p in titles[:5]:
        m = re.search(r"(20\d\d)\s*年度", normalise(p.text))
        if m:
            cover.year = int(m.group(1))
            break
    if cover.year is None and title is not None:  # "2024年项目支出绩效自评表": the title's year
        m = re.search(r"(20\d\d)\s*年", normalise(title.text))
        cover.year = int(m.group(1)) if m else None
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


def _funding_roles(layout: Layout) -> dict[str, list[str]]:
    return vocabulary().roles("funding", layout.funding.columns if layout.funding else None)


def _funding_anchor(body: Body, layout: Layout) -> _Ref | None:
    words = (layout.funding.anchor if layout.funding else []) + vocabulary().words("funding", "anchor")
    return _find(body, words)


def _read_funding(body: Body, layout: Layout, report: Report, avoid: set[tuple[int, int]]) -> None:
    v = vocabulary()
    roles = _funding_roles(layout)
    covers = v.covers("funding")
    ref = _funding_anchor(body, layout)
    header = None
    if ref is not None:
        rows = _span_rows(ref)
        stop = rows.stop if len(rows) > 1 else min(ref.row + 4, len(ref.grid.rows))
        header = find_header(ref.grid, roles, lambda cols: covers(cols) and len(cols) >= 2, start=ref.row, stop=stop,
                             skip={id(ref.cell)}, two_rows=False)
    if header is None:
        # no label: a header row of amounts anywhere, not the indicator header
        for grid in body.grids[:SCAN_GRIDS]:
            header = find_header(grid, roles, lambda cols: covers(cols) and len(cols) >= 3, two_rows=False)
            if header is not None and (grid.index, header.first) not in avoid:
                break
            header = None
    if header is None and ref is not None:
        if _read_funding_pairs(ref, roles, report):
            return
    if header is None:
        part = ref.cell.text.strip() if ref else "预算执行情况"
        seen = None
        if ref is not None:  # what the block's first row says, for the user to add a word
            cols, cells, labels = assign(row_cells(ref.grid, ref.row, {id(ref.cell)}), roles)
            seen = Header(ref.grid, ref.row, ref.row, cols, cells, labels)
        report.unread.append(Unread(
            part=compact(part) or "预算执行情况",
            reason=f"未找到预算执行表头（缺少：年初预算数/全年预算数/全年执行数）{_seen_text(seen)}",
            location=Location(table=ref.grid.index, row=ref.row, label=compact(ref.cell.text)) if ref else Location(),
        ))
        return
    _record(report, "预算执行", header)
    grid, cols = header.grid, header.cols
    title_cell = ref.cell if ref is not None and ref.grid is grid else None
    title = compact(title_cell.text) if title_cell else compact(header.labels.get("budget", "预算执行情况"))
    unit = "元" if title_cell is not None and re.search(r"[（(]元[)）]", title_cell.text) else "万元"
    if not title_cell and any(re.search(r"[（(]元[)）]", s.text) for s in header.seen):
        unit = "元"
    amount_cols = [cols[k] for k in ("initial", "budget", "spent") if k in cols]
    first_value = min(amount_cols) if amount_cols else grid.ncols
    funding = Funding(title=title, unit=unit, rows=[], location=Location(table=grid.index, row=header.first, label=title))
    total_words = (layout.funding.total_row if layout.funding else []) + v.words("funding", "total_row")
    label_of = header.labels
    span_end = _span_rows(ref).stop if title_cell is not None and len(_span_rows(ref)) > 1 else None
    in_header = {id(cell) for hr in range(header.first, header.last + 1) for _, cell in grid.distinct(hr)}
    r = header.last + 1
    while r < len(grid.rows) and (span_end is None or r < span_end):
        cells = grid.distinct(r)
        # a cell that comes down from the header row is the block's label, not a row's name
        names = [cell for c, cell in cells if c < first_value and cell is not title_cell and id(cell) not in in_header and cell.key]
        amounts = {k: grid.rows[r][c] for k, c in cols.items() if k in ("initial", "budget", "spent")}
        values_here = [cell for cell in amounts.values() if cell is not None and cell.key]
        if span_end is None and (not values_here or not any(parse_number(_unwan(c.text)).state in ("value", "none") for c in values_here)):
            break  # the amounts end: the block had no label spanning its rows
        name = compact(names[0].text) if names else ""
        is_total = not name or any(norm(name) == norm(w) for w in total_words)
        label = f"{title} {name or '合计'}"
        values = {
            k: _money(cell.text if cell else "", Location(table=grid.index, row=r, col=cols[k], label=f"{label} {label_of.get(k, k)}"), unit)
            for k, cell in amounts.items()
        }
        row = FundingRow(name=(name or "年度资金总额").rstrip(":："), is_total=is_total and not any(x.is_total for x in funding.rows), values=values, location=Location(table=grid.index, row=r, label=label))
        funding.rows.append(row)
        if row.is_total:
            _funding_scores(grid, r, cols, label_of, title, funding)
        r += 1
    if not funding.rows:
        report.unread.append(Unread(part=title, reason="表头之后没有金额行", location=funding.location))
    _points_from_title(funding, title_cell, grid)
    report.funding = funding


def _unwan(text: str) -> str:
    s = squash(text)
    return s + "元" if s.endswith("万") else s


def _funding_scores(grid: Grid, r: int, cols: dict[str, int], label_of: dict[str, str], title: str, funding: Funding) -> None:
    for k, attr, u in (("points", "points", "分"), ("rate", "rate", "%"), ("score", "score", "分")):
        if k in cols:
            cell = grid.rows[r][cols[k]]
            setattr(funding, attr, parse_number(cell.text if cell else "", Location(table=grid.index, row=r, col=cols[k], label=f"{title} 预算执行率 {label_of.get(k, k)}"), u))
    if "reason" in cols:
        funding.reason = _text(grid, r, cols["reason"], f"{title} 预算执行率 {label_of.get('reason', '原因')}")


def _points_from_title(funding: Funding, title_cell: Cell | None, grid: Grid) -> None:
    """"预算执行情况（10分）" with no 分值 column: the points are the label's."""
    if funding.points.state != "missing" or title_cell is None:
        return
    m = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]", title_cell.text)
    if m:
        funding.points = parse_number(m.group(1), Location(table=grid.index, row=title_cell.row, col=title_cell.col, label=f"{funding.title} 分值"), "分")


def _read_funding_pairs(ref: _Ref, roles: dict[str, list[str]], report: Report) -> bool:
    """A funding block printed as label | value pairs ("年初预算数 | 100 | 全年预算数 | 120 …", on one
    row or one pair a row)."""
    grid = ref.grid
    rows = _span_rows(ref)
    stop = rows.stop if len(rows) > 1 else min(ref.row + 6, len(grid.rows))
    title = compact(ref.cell.text)
    unit = "元" if re.search(r"[（(]元[)）]", ref.cell.text) else "万元"
    values: dict[str, Number] = {}
    funding = Funding(title=title, unit=unit, rows=[], location=Location(table=grid.index, row=ref.row, label=title))
    for r in range(ref.row, stop):
        cells = [(c, cell) for c, cell in grid.distinct(r) if cell is not ref.cell]
        for i, (c, cell) in enumerate(cells):
            m = classify(cell.text, roles, loose=False)
            if m is None or i + 1 >= len(cells):
                continue
            vc, vcell = cells[i + 1]
            loc = Location(table=grid.index, row=r, col=vc, label=f"{funding.title} {compact(cell.text)}")
            report.header_roles.append(HeaderRole(block="预算执行", text=compact(cell.text), role=m.role, location=loc))
            if m.role in ("initial", "budget", "spent"):
                values.setdefault(m.role, _money(vcell.text, loc, unit))
            elif m.role in ("points", "rate", "score"):
                if getattr(funding, m.role).state == "missing":
                    setattr(funding, m.role, parse_number(vcell.text, loc, "%" if m.role == "rate" else "分"))
            elif m.role == "reason":
                funding.reason = Text(text=vcell.text.strip(), location=loc)
    if not values:
        return False
    funding.rows.append(FundingRow(name="年度资金总额", is_total=True, values=values, location=Location(table=grid.index, row=ref.row, label=funding.title)))
    _points_from_title(funding, ref.cell, grid)
    report.funding = funding
    return True


# ---------------------------------------------------------------- target / completion pairs


def _pair_header(grid: Grid, start: int, stop: int, roles: dict[str, list[str]], covers, skip: set[int]) -> Header | None:
    """A 预期目标 | 完成情况 header row; a cell running on into the row below is the block's label
    (“绩效目标” spanning the block), never a column of it."""
    for r in range(start, min(stop, len(grid.rows))):
        below = {id(c) for c in grid.rows[r + 1] if c is not None} if r + 1 < len(grid.rows) else set()
        spanning = {id(cell) for _, cell in grid.distinct(r) if id(cell) in below}
        found = find_header(grid, roles, covers, start=r, stop=r + 1, skip=skip | spanning, two_rows=False)
        if found is not None:
            return found
    return None


def _read_goals(body: Body, layout: Layout, report: Report, avoid: set[tuple[int, int]] = frozenset()) -> None:
    v = vocabulary()
    spec = layout.goals
    extra = {"expected": spec.expected, "actual": spec.actual} if spec else {}
    roles = v.roles("goals", {k: w for k, w in extra.items() if w})
    covers = v.covers("goals")
    ref = _find(body, (spec.anchor if spec else []) + v.words("goals", "anchor"))
    header = None
    if ref is not None:
        rows = _span_rows(ref)
        stop = rows.stop if len(rows) > 1 else min(ref.row + 3, len(ref.grid.rows))
        header = _pair_header(ref.grid, ref.row, stop, roles, covers, {id(ref.cell)})
    if header is None:  # no known label: the first 预期目标 | 完成情况 header of the form's tables
        for grid in body.grids[:SCAN_GRIDS]:
            header = _pair_header(grid, 0, len(grid.rows), roles, lambda c: covers(c) and _strict_pair(grid, c), set())
            if header is not None and (grid.index, header.first) not in avoid:
                break
            header = None
    if header is None:
        report.unread.append(Unread(part="年度总体目标", reason="未找到年度总体目标的“预期目标/实际完成情况”表头"))
        return
    _record(report, "年度总体目标", header)
    grid, cols = header.grid, header.cols
    anchor = ref.cell if ref is not None and ref.grid is grid else None
    last = _span_rows(ref).stop if anchor is not None and len(_span_rows(ref)) > 1 else header.last + 2
    for r in range(header.last + 1, min(last, len(grid.rows))):
        exp_cell = grid.rows[r][cols["expected"]]
        act_cell = grid.rows[r][cols["actual"]]
        adj_cell = grid.rows[r][cols["adjusted"]] if "adjusted" in cols else None
        if exp_cell is None or exp_cell is act_cell or exp_cell is anchor:
            break  # a row spanning the block: the next part of it (四川 2.项目实施内容及过程概述)
        expected = _text(grid, r, cols["expected"], f"年度总体目标 {header.labels['expected']}")
        if adj_cell is not None and adj_cell is not exp_cell and squash(adj_cell.text) not in NONE_MARKS | {""}:
            # 全年（调整）绩效目标 filled: the adjusted goal is the one the year is judged against
            expected = _text(grid, r, cols["adjusted"], f"年度总体目标 {header.labels['adjusted']}")
        actual = _text(grid, r, cols["actual"], f"年度总体目标 {header.labels['actual']}")
        if expected.blank and actual.blank:
            continue
        report.goals.append(GoalPair(kind="goal", name="年度总体目标", expected=expected, actual=actual, location=Location(table=grid.index, row=r, label="年度总体目标")))
        break  # one 年度总体目标 per form
    if not any(g.kind == "goal" for g in report.goals):
        report.unread.append(Unread(part="年度总体目标", reason="表头之后没有内容行", location=Location(table=grid.index, row=header.first, label="年度总体目标")))


def _strict_pair(grid: Grid, cols: dict[str, int]) -> bool:
    return cols.get("expected") != cols.get("actual")


def _read_tasks(body: Body, layout: Layout, report: Report) -> None:
    """年度主要任务 rows (财政部 部门整体 form): 任务名称 | 主要内容 | 实际完成情况, one row each."""
    v = vocabulary()
    spec = layout.tasks
    ref = _find(body, (spec.anchor if spec else []) + v.words("tasks", "anchor"))
    if ref is None:
        if spec is not None:
            report.unread.append(Unread(part=spec.anchor[0] if spec.anchor else "年度主要任务", reason="未找到“年度主要任务”栏"))
        return
    extra = {k: getattr(spec, k) for k in ("name", "expected", "actual")} if spec else {}
    roles = v.roles("tasks", {k: w for k, w in extra.items() if w})
    rows = _span_rows(ref)
    header = _pair_header(ref.grid, ref.row, rows.stop, roles, v.covers("tasks"), {id(ref.cell)})
    part = compact(norm(ref.cell.text)) or "年度主要任务"
    if header is None:
        report.unread.append(Unread(part=part, reason="未找到“主要内容/实际完成情况”表头", location=Location(table=ref.grid.index, row=ref.row, label=part)))
        return
    _record(report, part, header)
    grid, cols = header.grid, header.cols
    before = len(report.goals)
    for r in range(header.last + 1, rows.stop):
        name = compact(_text(grid, r, cols.get("name"), "").text) if "name" in cols else ""
        full = f"{part}：{name}" if name else part
        expected = _text(grid, r, cols["expected"], f"{full} {header.labels['expected']}")
        actual = _text(grid, r, cols["actual"], f"{full} {header.labels['actual']}")
        if expected.blank and actual.blank and not name:
            continue
        report.goals.append(GoalPair(kind="task", name=full, expected=expected, actual=actual, location=Location(table=grid.index, row=r, label=full)))
    if len(report.goals) == before:
        report.unread.append(Unread(part=part, reason="表头之后没有内容行", location=Location(table=grid.index, row=header.first, label=part)))


# ---------------------------------------------------------------- indicators


def indicator_roles(layout: Layout | None = None) -> dict[str, list[str]]:
    return vocabulary().roles("indicators", layout.indicators.columns if layout and layout.indicators else None)


def _indicator_header(body: Body, roles: dict[str, list[str]], start_grid: int = 0) -> Header | None:
    covers = vocabulary().covers("indicators")
    for grid in body.grids[start_grid:]:
        header = find_header(grid, roles, covers)
        if header is not None:
            return header
    return None


def has_indicator_table(body: Body) -> bool:
    """Whether some table of the file has an indicator header (the generic reader's test)."""
    covers = vocabulary().covers("indicators")
    roles = indicator_roles()
    return any(find_header(g, roles, covers) is not None for g in body.grids[:SCAN_GRIDS])


def _total_words(layout: Layout) -> list[str]:
    return (layout.indicators.total_row if layout.indicators else []) + vocabulary().words("indicators", "total_row")


def _is_total_row(grid: Grid, r: int, words: list[str], name_col: int) -> bool:
    cells = [cell for c, cell in grid.distinct(r) if c <= name_col]
    return any(_exact(cell, words) or norm(cell.text).startswith("总分") for cell in cells)


_COMPARATOR_WORDS = {"≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", "=": "=", "正向": ">=", "反向": "<=",
                     "正向指标": ">=", "反向指标": "<=", "大于等于": ">=", "小于等于": "<=", "等于": "="}
_SYMBOL = {">=": "≥", "<=": "≤", "=": "="}


def _coefficient(t: Text, label: str) -> Number:
    n = parse_number(t.text, t.location, "")
    if n.known and (n.unit == "%" or "%" in label or "％" in label):
        n = n.model_copy(update={"value": n.value / 100, "unit": ""})
    return n


def _indicator_row(grid: Grid, r: int, cols: dict[str, int], labels: dict[str, str], level3: str, index: int) -> IndicatorRow:
    """One 绩效指标 row, its variant columns folded in (调整/年初指标值, 度量单位, 指标性质, 得分系数)."""
    def text(key: str) -> Text:
        return _text(grid, r, cols.get(key), f"绩效指标 {level3} {labels.get(key, role_name(key))}")

    def number(key: str, unit: str) -> Number:
        t = text(key)
        return parse_number(t.text, t.location, unit)
    target = text("target") if "target" in cols else None
    initial = text("initial_target") if "initial_target" in cols else None
    adjusted = text("adjusted_target") if "adjusted_target" in cols else None
    shown_initial = None
    if adjusted is not None and not adjusted.blank and squash(adjusted.text) not in NONE_MARKS:
        shown_initial = initial if initial is not None else target
        target = adjusted  # the 调整指标值 where one is filled
    elif target is None or target.blank:
        target = initial if initial is not None else (target or adjusted or text("target"))
    actual = text("actual")
    target_parsed, actual_parsed = parse_value(target.text), parse_value(actual.text)
    if "unit" in cols:  # the unit has its own column; the values may be bare numbers
        unit = compact(text("unit").text)
        if unit and unit not in NONE_MARKS:
            if target_parsed.kind == "number" and not target_parsed.unit:
                target_parsed = parse_value(target.text + unit)
            if actual_parsed.kind == "number" and not actual_parsed.unit:
                actual_parsed = parse_value(actual.text + unit)
    if "comparator" in cols and not target_parsed.comparator:  # 指标性质 ≥ / ≤ / =
        nature = squash(text("comparator").text)
        symbol = _COMPARATOR_WORDS.get(nature)
        if symbol and target_parsed.kind == "number":
            # read as one figure, "≥1200人次", so messages show what the row asks
            target_parsed = parse_value(_SYMBOL[symbol] + target_parsed.raw)
    coefficient = None
    if "coefficient" in cols:
        coefficient = _coefficient(text("coefficient"), labels.get("coefficient", ""))
    return IndicatorRow(
        index=index,
        level1=compact(text("level1").text) if "level1" in cols else "",
        level2=compact(text("level2").text) if "level2" in cols else "",
        level3=level3,
        target=target,
        target_parsed=target_parsed,
        initial_target=shown_initial,
        actual=actual,
        actual_parsed=actual_parsed,
        points=number("points", "分"),
        score=number("score", "分"),
        coefficient=coefficient,
        reason=text("reason"),
        location=Location(table=grid.index, row=r, label=f"绩效指标 {level3}"),
    )


def _one_cell(cells: list) -> bool:
    """The value columns of a row are one merged cell."""
    return len(cells) >= 2 and cells[0] is not None and all(c is cells[0] for c in cells)


def _placeholder(name: str, grid: Grid, r: int, cols: dict[str, int]) -> bool:
    """A template row left as printed ("指标2：", "……", "指标1：/") with no points: not an indicator."""
    words = vocabulary().words("indicators", "placeholder_names")
    if squash(name) not in {squash(w) for w in words} and not re.fullmatch(r"[.…。·、:：/／\-—\s]*", name):
        return False
    for key in ("points", "score", "actual"):
        if key in cols:
            cell = grid.rows[r][cols[key]]
            if cell is not None and parse_number(cell.text).known:
                return False
    return True


def _read_indicators(body: Body, layout: Layout, report: Report) -> Header | None:
    roles = indicator_roles(layout)
    header = _indicator_header(body, roles)
    if header is None:
        seen = None
        for grid in body.grids[:SCAN_GRIDS]:
            seen = best_partial_header(grid, roles)
            if seen is not None:
                break
        missing = "、".join(role_name(r) for r in vocabulary().missing("indicators", seen.cols if seen else {}))
        report.unread.append(Unread(
            part="绩效指标",
            reason=f"未找到绩效指标表头（缺少：{missing or '指标名称/指标值/完成值/分值或得分'}）{_seen_text(seen)}",
            location=Location(table=seen.grid.index, row=seen.first, label="绩效指标 表头") if seen else Location(),
        ))
        return None
    _record(report, "绩效指标", header)
    grid, cols, labels = header.grid, header.cols, header.labels
    total_words = _total_words(layout)
    name_col = cols["level3"]
    first_col = min(cols.get(k, grid.ncols) for k in ("level1", "level2", "level3"))
    header_at, position, start = (grid.index, header.first), body.grids.index(grid), header.last + 1
    covers = vocabulary().covers("indicators")
    total_row_seen = False
    while True:
        ended = False
        for r in range(start, len(grid.rows)):
            if _is_total_row(grid, r, total_words, first_col):
                total_row_seen = True
                for key, attr in (("points", "indicator_points"), ("score", "indicator_total")):
                    if key in cols:
                        cell = grid.rows[r][cols[key]]
                        setattr(report, attr, parse_number(cell.text if cell else "", Location(table=grid.index, row=r, col=cols[key], label=f"总分 {labels.get(key, key)}"), "分"))
                ended = True
                break
            if covers(assign(row_cells(grid, r), roles)[0]):
                continue  # the header repeated at a page break
            name_cell = grid.rows[r][name_col]
            value_cells = [grid.rows[r][cols[k]] for k in ("target", "initial_target", "adjusted_target", "actual", "points", "score") if k in cols]
            if name_cell is not None and (name_cell in value_cells or _one_cell(value_cells)):
                ended = True
                break  # one cell running across the value columns (评价结论 …): past the table
            raw = compact(name_cell.text) if name_cell is not None else ""
            if name_cell is not None and name_col > first_col and name_cell is grid.rows[r][first_col]:
                raw = ""  # a row spanning the name columns is a heading, not a row
            level3 = strip_numbering(raw)
            if not level3 or _placeholder(level3, grid, r, cols):
                if len(grid.distinct(r)) <= 2 and raw:
                    ended = True
                    break  # a heading or a note row ends the table
                continue
            if len(report.indicators) >= MAX_INDICATOR_ROWS:
                report.unread.append(Unread(part="绩效指标", reason=f"指标行过多，只读取了前 {MAX_INDICATOR_ROWS} 行", location=Location(table=grid.index, row=r)))
                ended = True
                break
            report.indicators.append(_indicator_row(grid, r, cols, labels, level3, len(report.indicators)))

        if ended:
            break
        # The table goes on in the next one (a page break saved as two tables): with the header
        # repeated, or with the same columns and a 分值 where this table has it.
        nxt = body.grids[position + 1] if position + 1 < len(body.grids) else None
        if nxt is None or not nxt.rows:
            break
        again = find_header(nxt, roles, covers, stop=1)
        points_col = cols.get("points", cols.get("score"))
        if again is not None:
            cols, labels, start = again.cols, again.labels, again.last + 1
        elif nxt.ncols == grid.ncols and points_col is not None and nxt.rows[0][points_col] is not None and parse_number(nxt.rows[0][points_col].text).known:
            start = 0
        else:
            break
        grid, position = nxt, position + 1
        name_col = cols["level3"]
        first_col = min(cols.get(k, grid.ncols) for k in ("level1", "level2", "level3"))
    if not report.indicators:
        report.unread.append(Unread(part="绩效指标", reason="表头之后没有指标行", location=Location(table=header_at[0], row=header_at[1], label="绩效指标")))
    if not total_row_seen and layout.total != "row":
        _read_top_total(body, report)
    if not total_row_seen and not report.indicator_total.known and layout.total != "top":
        report.unread.append(Unread(part="绩效指标 总分", reason="未找到总分行，也未找到“自评总分”栏", location=Location(table=header_at[0], row=header_at[1], label="总分")))
    return header


def _read_top_total(body: Body, report: Report) -> None:
    """The 自评总分 printed at the top of the form (重庆): the form's only total."""
    ref = _find(body, list(vocabulary().top("top_total")))
    value = right_of(ref) if ref else None
    if value is None:
        return
    label = compact(ref.cell.text)
    report.indicator_total = parse_number(value.cell.text, Location(table=value.grid.index, row=value.row, col=value.col, label=label), "分")


# ---------------------------------------------------------------- conclusion and prose fields


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


def _read_texts(body: Body, report: Report, skip: set[str]) -> None:
    """The prose cells a form asks for (评价结论, 存在问题, 改进措施, 项目实施内容及过程概述), as sections:
    the cell right of the label, or — when the label spans the row — the cell below it."""
    for word in vocabulary().top("texts"):
        if word in skip:
            continue
        ref = _find(body, [word])
        if ref is None:
            continue
        grid, label = ref.grid, strip_numbering(compact(ref.cell.text))
        value = right_of(ref)
        if value is None and ref.row + 1 < len(grid.rows):
            below = grid.rows[ref.row + 1][ref.col]
            if below is not None and below is not ref.cell and not classify(below.text, {"t": vocabulary().top("texts")}, loose=False):
                value = _Ref(grid, ref.row + 1, ref.col, below)
        if value is None:
            continue
        loc = Location(table=grid.index, row=value.row, col=value.col, label=label)
        report.sections.append(Section(number="", heading=label, paragraphs=[Text(text=value.cell.text.strip(), location=loc)],
                                       location=Location(table=grid.index, row=ref.row, col=ref.col, label=label)))


# ---------------------------------------------------------------- entry


def target_rows(report: Report) -> list[TargetRow]:
    """The 年度主要任务 / 年度总体目标 pairs, then the 绩效指标 rows, as the target rows the narrative
    rules and the LLM judge take (each indicator row: 年度指标值 → target, 实际完成值 → completion)."""
    goals = sorted(report.goals, key=lambda g: (g.kind != "task", g.location.table or 0, g.location.row or 0))
    report.goals = goals
    rows = [
        TargetRow(index=i, category=g.name.split("：")[0], kind=g.name, target=g.expected, completion=g.actual, location=g.location)
        for i, g in enumerate(goals)
    ]
    for ind in report.indicators:
        rows.append(TargetRow(
            index=len(rows), category=ind.level1, kind=ind.name, target=ind.target, completion=ind.actual,
            location=ind.location, indicator=ind.index,
        ))
    return rows


def _generic_note(report: Report, header: Header | None) -> str:
    if header is None:
        return "按通用自评表读取（未能识别绩效指标表头）"
    taken = "、".join(f"“{s.text}”→{role_name(s.role)}" for s in header.seen if s.role)
    return f"按通用自评表读取（没有与本表对应的省市格式）；绩效指标各列按表头读取：{taken}"


def read_table_form(body: Body, layout: Layout, source: str) -> Report:
    report = Report(source=source, layout=layout.name)
    _read_fields(body, layout, report)
    _read_tasks(body, layout, report)
    header = _read_indicators(body, layout, report)
    avoid = {(header.grid.index, header.first)} if header else set()
    _read_goals(body, layout, report, avoid)
    _read_funding(body, layout, report, avoid)
    if layout.conclusion:
        _read_conclusion(body, layout.conclusion, report)
    _read_texts(body, report, set(layout.conclusion))
    if not report.total_score.known and report.indicator_total.known:
        report.total_score = report.indicator_total  # the form's only total is the 总分 row / 自评总分
    if layout.generic:
        report.read_as = _generic_note(report, header)
    report.targets = target_rows(report)
    return report


__all__ = ["read_table_form", "target_rows", "has_indicator_table", "indicator_roles"]

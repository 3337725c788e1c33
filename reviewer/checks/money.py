"""Money tables: every total is the sum of its printed parts (table.sum_mismatch).

Within a row: 收入合计, 支出合计 = 基本 + 项目, 基本 = 人员 + 公用, 三公合计, 固定资产合计.
Across rows: the 汇总 row = the sum of the organisation rows (blank rows count as nothing).
Across tables: 收入 − 支出 agrees with 当年结余.
"""

from __future__ import annotations

from reviewer.checks.arith import fmt_money, money_half_unit, within
from reviewer.findings import Finding
from reviewer.model import MONEY_COLUMNS, MoneyRow, MoneyTable, Number, Report
from reviewer.numbers import squash

TABLE_NAMES = {"income": "收入表", "spending": "支出和结余表", "sangong": "三公经费表", "assets": "固定资产表"}

# total column → the columns that make it up, per table
RELATIONS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "income": [("total", ("carryover", "general_budget", "fund_budget", "special_account", "other"))],
    "spending": [("total", ("basic", "project")), ("basic", ("personnel", "public"))],
    "sangong": [("total", ("reception", "vehicle_running", "vehicle_purchase", "overseas"))],
    "assets": [("total", ("in_use", "leased", "other"))],
}


def _shown(n: Number) -> str:
    return squash(n.raw) or "0"


def _label(key: str, col: str) -> str:
    return MONEY_COLUMNS[key][col]


def _tolerance(table: MoneyTable, addends: list[Number]) -> float:
    """Half a printed unit for the total and for each addend that carries rounding.

    A printed 0 is taken as exactly nothing (nothing was spent there), so it adds no slack."""
    rounded = sum(1 for n in addends if n.value != 0)
    return money_half_unit(table.unit) * (rounded + 1)


def _row_sums(table: MoneyTable, row: MoneyRow) -> list[Finding]:
    out: list[Finding] = []
    for total_col, part_cols in RELATIONS[table.key]:
        total = row.values.get(total_col)
        if total is None or not total.known:
            continue
        parts = [(c, row.values.get(c)) for c in part_cols]
        if any(n is not None and n.state == "unparsed" for _, n in parts):
            continue  # an unreadable part is reported by ingest; a sum over it proves nothing
        known = [(c, n) for c, n in parts if n is not None and n.known]
        if not known:
            continue  # only the total is filled in: nothing to add up
        # Blank and "无" parts in a filled row mean nothing was spent there.
        expected = sum(n.value for _, n in known)
        tolerance = _tolerance(table, [n for _, n in known])
        if within(total.value, expected, tolerance):
            continue
        working = " + ".join(f"{_label(table.key, c)}{_shown(n)}" for c, n in known)
        out.append(
            Finding(
                code="table.sum_mismatch",
                severity="error",
                message=(
                    f"{TABLE_NAMES[table.key]}“{row.name}”行：{_label(table.key, total_col)}填{_shown(total)}{table.unit}，"
                    f"但{working} = {fmt_money(expected)}{table.unit}，两者不符，请核对。"
                ),
                location=total.location,
                expected=round(expected, 2),
                found=total.value,
            )
        )
    return out


def _summary_sums(table: MoneyTable) -> list[Finding]:
    summary = table.summary
    if summary is None:
        return []
    out: list[Finding] = []
    for col in table.columns:
        total = summary.values.get(col)
        if total is None or not total.known:
            continue
        orgs = [(r, r.values.get(col)) for r in table.organisations]
        if any(n is not None and n.state == "unparsed" for _, n in orgs):
            continue
        known = [(r, n) for r, n in orgs if n is not None and n.known]
        if not known:
            continue  # the department filled only the 汇总 row
        expected = sum(n.value for _, n in known)
        if within(total.value, expected, _tolerance(table, [n for _, n in known])):
            continue
        working = " + ".join(f"{r.name}{_shown(n)}" for r, n in known)
        out.append(
            Finding(
                code="table.sum_mismatch",
                severity="error",
                message=(
                    f"{TABLE_NAMES[table.key]}“{summary.name}”行的{_label(table.key, col)}填{_shown(total)}{table.unit}，"
                    f"但各机构合计为{working} = {fmt_money(expected)}{table.unit}，两者不符，请核对。"
                ),
                location=total.location,
                expected=round(expected, 2),
                found=total.value,
            )
        )
    return out


def _pairs(income: MoneyTable, spending: MoneyTable) -> list[tuple[MoneyRow, MoneyRow]]:
    """Income and spending rows of the same organisation (汇总 with 汇总, 局机关 with 局机关)."""
    by_name = {squash(r.name): r for r in income.rows}
    pairs = []
    for row in spending.rows:
        match = income.summary if row.is_summary else by_name.get(squash(row.name))
        if match is not None:
            pairs.append((match, row))
    return pairs


def _balance(report: Report) -> list[Finding]:
    income, spending = report.tables.get("income"), report.tables.get("spending")
    if income is None or spending is None or income.unit != spending.unit:
        return []
    out: list[Finding] = []
    half = money_half_unit(spending.unit)
    for inc, sp in _pairs(income, spending):
        received, spent, balance = inc.values.get("total"), sp.values.get("total"), sp.values.get("balance_year")
        if not all(n is not None and n.known for n in (received, spent, balance)):
            continue
        # The form does not define 当年结余; departments use either 收入合计 − 支出合计 or the same
        # without 上年结转 (本年收入 − 本年支出). Either reading is accepted.
        readings = [received.value - spent.value]
        carry = inc.values.get("carryover")
        if carry is not None and carry.known:
            readings.append(received.value - carry.value - spent.value)
        if any(within(balance.value, r, half * (3 + i)) for i, r in enumerate(readings)):
            continue
        alt = f"（扣除上年结转为{fmt_money(readings[1])}{spending.unit}）" if len(readings) > 1 else ""
        out.append(
            Finding(
                code="table.sum_mismatch",
                # The definition of 当年结余 is not printed on the form: a claim to query, not a proven error.
                severity="warning",
                message=(
                    f"{TABLE_NAMES['spending']}“{sp.name}”行：当年结余填{_shown(balance)}{spending.unit}，"
                    f"但收入合计{_shown(received)} − 支出合计{_shown(spent)} = {fmt_money(readings[0])}{spending.unit}{alt}，"
                    f"收支与结余对不上，请说明。"
                ),
                location=balance.location,
                expected=round(readings[0], 2),
                found=balance.value,
            )
        )
    return out


def check_money_tables(report: Report) -> list[Finding]:
    out: list[Finding] = []
    for key in RELATIONS:
        table = report.tables.get(key)
        if table is None:
            continue  # a missing table is an input.unreadable finding already
        for row in table.rows:
            out.extend(_row_sums(table, row))
        out.extend(_summary_sums(table))
    out.extend(_balance(report))
    return out

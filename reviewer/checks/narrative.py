"""Narrative figures (narrative.figure_mismatch): a sentence's rate must follow from its own
amounts, a share from its amount and base, and the amount must be the table's figure.

    "基本支出516.14万元，比上年增加152.09万元，增长41.78%"  → 152.09 ÷ (516.14 − 152.09) = 41.78%
    "“三公”经费5270元"  vs 三公经费表 0.53万元  → same figure, rounded

Every comparison allows for the rounding of each printed figure (interval arithmetic over the
printed precisions), so only a real contradiction is reported.
"""

from __future__ import annotations

from reviewer.checks.arith import EPS, corners, fmt, money_half_unit, to_wan
from reviewer.checks.statements import SUBJECT_NAMES, Figure, Statement
from reviewer.findings import Finding
from reviewer.lexicon import words
from reviewer.model import Number, Report

# canonical subject → the money-table cell (汇总 row) that prints the same figure
TABLE_CELLS: dict[str, tuple[str, str]] = {
    "sangong": ("sangong", "total"),
    "reception": ("sangong", "reception"),
    "vehicle_running": ("sangong", "vehicle_running"),
    "vehicle_purchase": ("sangong", "vehicle_purchase"),
    "overseas": ("sangong", "overseas"),
    "basic": ("spending", "basic"),
    "project": ("spending", "project"),
    "personnel": ("spending", "personnel"),
    "public": ("spending", "public"),
    "spending_total": ("spending", "total"),
    "income_total": ("income", "total"),
}


def table_figure(report: Report, subject: str) -> tuple[Figure, Number] | None:
    """The 汇总-row figure for a subject, in 万元, with its printed rounding."""
    cell = TABLE_CELLS.get(subject)
    if cell is None:
        return None
    table = report.tables.get(cell[0])
    summary = table.summary if table is not None else None
    number = summary.values.get(cell[1]) if summary is not None else None
    if number is None or not number.known:
        return None
    half = money_half_unit(table.unit)
    return Figure(value=to_wan(number.value, table.unit), raw=f"{number.raw.strip()}{table.unit}", half=to_wan(half, table.unit)), number


def _iv(f: Figure) -> tuple[float, float]:
    return (f.value - f.half, f.value + f.half)


def _mismatch(st: Statement, message: str, expected: float, found: float, severity: str = "error") -> Finding:
    return Finding(
        code="narrative.figure_mismatch",
        severity=severity,
        message=f"“{st.sentence.strip()}”：{message}",
        location=st.location,
        expected=expected,
        found=found,
    )


def _check_rate(st: Statement) -> list[Finding]:
    if st.change is None or st.rate is None:
        return []
    name = SUBJECT_NAMES[st.subject]
    change = abs(st.change.value)
    # previous year = this year − signed change; rate = |change| ÷ previous year
    up = st.change.value > 0
    span = corners(
        lambda amount, chg: chg / (amount - chg if up else amount + chg) * 100,
        _iv(st.amount),
        (change - st.change.half, change + st.change.half),
    )
    previous = st.amount.value - st.change.value
    if span is None or previous <= 0:
        return []
    exact = change / previous * 100
    digits = max(2, len(st.rate.raw.rstrip("%").partition(".")[2]))
    if st.rate_conflict:
        return [
            _mismatch(
                st,
                f"{name}比上年{'增加' if up else '减少'}，增减率却写成{'下降' if up else '增长'}{st.rate.raw}（应为{'增长' if up else '下降'}{fmt(exact, digits)}%）。",
                expected=round(exact if up else -exact, digits),
                found=st.rate.value,
            )
        ]
    printed = abs(st.rate.value)
    if span[0] - st.rate.half - EPS <= printed <= span[1] + st.rate.half + EPS:
        return []
    sign = "+" if up else "−"
    return [
        _mismatch(
            st,
            f"上年{name}为{fmt(st.amount.value, 4)} {'−' if up else '+'} {fmt(change, 4)} = {fmt(previous, 4)}万元，"
            f"增减率应为{fmt(change, 4)} ÷ {fmt(previous, 4)} = {sign}{fmt(exact, digits)}%，报告写{'增长' if up else '下降'}{st.rate.raw}。",
            expected=round(exact if up else -exact, digits),
            found=st.rate.value,
        )
    ]


def _base_figure(report: Report, st: Statement, statements: list[Statement]) -> Figure | None:
    """The base of "占基本支出80.5%": as the same paragraph states it, else as the table prints it."""
    for other in statements:
        if other.text is st.text and other.subject == st.share_base and other is not st:
            return other.amount
    found = table_figure(report, st.share_base) if st.share_base else None
    return found[0] if found else None


def _check_share(report: Report, st: Statement, statements: list[Statement]) -> list[Finding]:
    if st.share is None or st.share_base is None:
        return []
    base = _base_figure(report, st, statements)
    if base is None or base.value <= 0:
        return []
    span = corners(lambda a, b: a / b * 100, _iv(st.amount), _iv(base))
    if span is None:
        return []
    if span[0] - st.share.half - EPS <= st.share.value <= span[1] + st.share.half + EPS:
        return []
    exact = st.amount.value / base.value * 100
    digits = max(1, len(st.share.raw.rstrip("%").partition(".")[2]))
    return [
        _mismatch(
            st,
            f"{SUBJECT_NAMES[st.subject]}{st.amount.raw} ÷ {SUBJECT_NAMES[st.share_base]}{base.raw} = {fmt(exact, digits)}%，报告写占{st.share.raw}。",
            expected=round(exact, digits),
            found=st.share.value,
        )
    ]


def _check_amount(report: Report, st: Statement) -> list[Finding]:
    if st.basis in words("not_evidence_qualifiers"):
        return []  # a budget or last year's figure is not the table's spending: nothing to compare
    found = table_figure(report, st.subject)
    if found is None:
        return []
    table, number = found
    if abs(st.amount.value - table.value) <= st.amount.half + table.half + EPS:
        return []
    # "除专项资金以外的其他项目支出" may rightly be less than the table's 项目支出: ask, don't assert.
    severity = "warning" if st.qualified else "error"
    return [
        _mismatch(
            st,
            f"{SUBJECT_NAMES[st.subject]}写{st.amount.raw}（{fmt(st.amount.value, 4)}万元），"
            f"但{number.location.label or '表中'}为{table.raw}，超出四舍五入的差异。",
            expected=table.value,
            found=round(st.amount.value, 6),
            severity=severity,
        )
    ]


def check_narrative(report: Report, statements: list[Statement]) -> list[Finding]:
    out: list[Finding] = []
    for st in statements:
        out += _check_rate(st)
        out += _check_share(report, st, statements)
        out += _check_amount(report, st)
    return out

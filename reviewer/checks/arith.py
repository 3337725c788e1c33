"""Rounding-aware comparison and number display for the checks.

Printed figures are rounded (594.97 万元 is anything in [594.965, 594.975)), so a total may
differ from the sum of its printed parts by up to half a unit per figure. Comparisons here
allow exactly that, never more, and never use float equality.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

EPS = 1e-9  # float noise only; every real allowance is explicit
SCORE_EPS = 1e-6  # scores are printed to at most 0.01


def money_half_unit(unit: str) -> float:
    """Half the printed rounding step of a money table, in the table's own unit.

    The form prints 万元 to 0.01; a table in 元 is printed to whole 元."""
    return 0.5 if unit == "元" else 0.005


def to_wan(value: float, unit: str | None) -> float:
    return value / 10000 if unit == "元" else value


def decimals_of(raw: str) -> int:
    m = re.search(r"\.(\d+)", raw)
    return len(m.group(1)) if m else 0


def half_step(raw: str) -> float:
    """Half the rounding step implied by how a figure is written: "41.78" → 0.005, "5270" → 0.5."""
    return 0.5 * 10 ** -decimals_of(raw)


def within(found: float, expected: float, tolerance: float) -> bool:
    return abs(found - expected) <= tolerance + EPS


def corners(f: Callable[..., float], *intervals: tuple[float, float]) -> tuple[float, float] | None:
    """Range of f over a box, for f monotonic in each argument (ratios of rounded figures).

    Returns None where f is undefined at a corner (a base that may be zero)."""
    values: list[float] = []
    n = len(intervals)
    for mask in range(1 << n):
        args = [iv[(mask >> i) & 1] for i, iv in enumerate(intervals)]
        try:
            values.append(f(*args))
        except ZeroDivisionError:
            return None
    return min(values), max(values)


def fmt(x: float, decimals: int = 2) -> str:
    """594.97 → "594.97", 5.0 → "5", 0.5270 → "0.53" (decimals=2); no "-0"."""
    text = f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fmt_money(x: float) -> str:
    """Money as the form prints it: two decimals."""
    text = f"{x:.2f}"
    return "0.00" if text == "-0.00" else text


def join_plus(parts: Iterable[str]) -> str:
    return " + ".join(parts)


def q(text: str) -> str:
    """Quote a label for a Chinese message; its own quotes become the inner kind: “‘三公经费’变动率”."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"

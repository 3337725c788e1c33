"""The checks' arithmetic helpers: rounding steps, tolerant comparison, ranges of ratios of rounded
figures, and how numbers and labels are written in messages."""

from __future__ import annotations

import pytest

from reviewer.checks.arith import corners, decimals_of, fmt, fmt_money, half_step, join_plus, money_half_unit, q, to_wan, within


def test_money_half_unit():
    assert money_half_unit("元") == 0.5 and money_half_unit("万元") == 0.005 and money_half_unit("") == 0.005


def test_to_wan():
    assert to_wan(52700, "元") == 5.27 and to_wan(5.27, "万元") == 5.27 and to_wan(5.27, None) == 5.27


@pytest.mark.parametrize("raw,decimals,half", [("41.78", 2, 0.005), ("5270", 0, 0.5), ("0.527", 3, 0.0005), ("3.5%", 1, 0.05),
                                              ("1,234.5", 1, 0.05), ("", 0, 0.5)])
def test_decimals_and_half_step(raw, decimals, half):
    assert decimals_of(raw) == decimals and half_step(raw) == pytest.approx(half, rel=1e-12)


def test_within_is_inclusive_and_symmetric():
    assert within(10.0, 10.5, 0.5) and within(10.5, 10.0, 0.5)
    assert not within(10.0, 10.51, 0.5) and not within(10.51, 10.0, 0.5)
    assert within(0.1 + 0.2, 0.3, 0.0)  # float noise is not a difference


def test_corners_of_a_ratio():
    lo, hi = corners(lambda a, b: a / b * 100, (9.5, 10.5), (19.5, 20.5))
    assert lo == pytest.approx(9.5 / 20.5 * 100) and hi == pytest.approx(10.5 / 19.5 * 100)
    assert corners(lambda a: -a, (1, 2)) == (-2, -1)


def test_corners_undefined_at_a_zero_base():
    assert corners(lambda a, b: a / b, (1, 2), (0, 1)) is None


def test_corners_visits_every_corner():
    seen = []
    corners(lambda a, b, c: seen.append((a, b, c)) or 0, (1, 2), (3, 4), (5, 6))
    assert sorted(seen) == [(a, b, c) for a in (1, 2) for b in (3, 4) for c in (5, 6)]


@pytest.mark.parametrize("x,decimals,shown", [(594.97, 2, "594.97"), (5.0, 2, "5"), (0.5270, 2, "0.53"), (-0.001, 2, "0"),
                                              (100.0, 0, "100"), (2.94118, 4, "2.9412"), (10.50, 2, "10.5"), (0.0, 2, "0"),
                                              (-3.25, 2, "-3.25")])
def test_fmt(x, decimals, shown):
    assert fmt(x, decimals) == shown


def test_fmt_defaults_to_two_decimals():
    assert fmt(3.14159) == "3.14"


@pytest.mark.parametrize("x,shown", [(594.97, "594.97"), (5, "5.00"), (-0.001, "0.00"), (-1.5, "-1.50"), (0.005, "0.01")])
def test_fmt_money(x, shown):
    assert fmt_money(x) == shown


def test_join_plus_and_q():
    assert join_plus(["a1", "b2", "c3"]) == "a1 + b2 + c3"
    assert q("“三公经费”变动率") == "“‘三公经费’变动率”" and q("支付进度") == "“支付进度”"

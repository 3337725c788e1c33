"""find_figures, find_dates and concrete_spans one wording at a time: the value, unit and kind of each
figure (exact, approximate, a change), the last day a date allows, and what makes a completion
checkable. Texts are written for these tests."""

from __future__ import annotations

import pytest

from reviewer.narrative.figures import concrete_spans, find_dates, find_figures


@pytest.fixture(autouse=True)
def computed_afresh():
    """find_figures and find_dates keep results per text: each test here computes its own."""
    find_figures.cache_clear()
    find_dates.cache_clear()


def figures(text: str):
    return [(f.raw, f.value, f.unit, f.approximate, f.change) for f in find_figures(text)]


@pytest.mark.parametrize(
    "text, found",
    [
        ("编印15期", [("15期", 15, "期", False, False)]),
        ("发表100多篇", [("100多篇", 100, "篇", True, False)]),  # not "多篇" as well
        ("约100篇", [("约100篇", 100, "篇", True, False)]),
        ("投入1,500元", [("1,500元", 1500, "元", False, False)]),
        ("共3,000,000元", [("3,000,000元", 3_000_000, "元", False, False)]),
        ("10.5万人次", [("10.5万人次", 10.5, "万人次", False, False)]),
        ("12,3456元", []),  # no figure starts inside a number
        ("同比减少22.22%", [("22.22%", 22.22, "%", False, True)]),
        ("同比减少了约3%", [("约3%", 3, "%", True, True)]),
        ("降10%", [("10%", 10, "%", False, True)]),
        ("比年初预算少0.88万元", [("0.88万元", 0.88, "万元", False, True)]),
        ("比上年多了5次", [("5次", 5, "次", False, True)]),
        ("比预算节约了2万元", [("2万元", 2, "万元", False, True)]),
        ("婴儿死亡率为0", [("0", 0, "%", False, False)]),
        ("死亡率为零，", [("零", 0, "%", False, False)]),
        ("死亡率为0.5%", [("0.5%", 0.5, "%", False, False)]),
        ("近百篇", [("近百篇", None, "篇", True, False)]),
        ("数十次", [("数十次", None, "次", True, False)]),
        ("一批文稿", [("一批", None, None, True, False)]),
        ("多篇文稿", [("多篇", None, "篇", True, False)]),
        ("若干", [("若干", None, None, True, False)]),
        ("《2021年工作要点15条》发布3期", [("3期", 3, "期", False, False)]),  # titles are names, not figures
        ("《一批》", []),
        ("发表文章100篇多篇被转载", [("100篇", 100, "篇", False, False), ("多篇", None, "篇", True, False)]),  # adjacent, not overlapping
        ("于5月20日报送", []),  # a day of the month is no count of days
        ("办结时间12日", [("12日", 12, "天", False, False)]),
        ("若干15期", [("若干", None, None, True, False), ("15期", 15, "期", False, False)]),
    ],
)
def test_figures(text, found):
    assert figures(text) == found


def test_figures_come_in_document_order_with_their_spans():
    text = "一批文稿，内刊15期，死亡率为0，近百篇"
    assert [(f.raw, f.start, f.end) for f in find_figures(text)] == [
        ("一批", 0, 2), ("15期", 7, 10), ("0", 15, 16), ("近百篇", 17, 20)]


@pytest.mark.parametrize(
    "text, found",
    [
        ("12月底", [("12月底", 12, 31)]),
        ("6月中旬", [("6月中旬", 6, 20)]),
        ("6月份", [("6月份", 6, 31)]),
        ("6月初", [("6月初", 6, 10)]),
        ("6月上旬", [("6月上旬", 6, 10)]),
        ("6月下旬", [("6月下旬", 6, 31)]),
        ("6月", [("6月", 6, 31)]),
        ("11月20日报送，次年1月15日", [("11月20日", 11, 20), ("次年1月15日", 13, 15)]),
        ("2021年12月完成，2022年1月", [("2021年12月", 12, 31), ("2022年1月", 13, 31)]),
        ("2022年1月完成，2021年12月", [("2022年1月", 13, 31), ("2021年12月", 12, 31)]),  # the first year named
        ("翌年2月", [("翌年2月", 14, 31)]),
        ("13月", []),
        ("0月", []),
    ],
)
def test_dates(text, found):
    assert [(d.raw, d.month, d.day) for d in find_dates(text)] == found


@pytest.mark.parametrize(
    "text, spans",
    [
        ("编印15期", [(2, 4), (2, 5)]),
        ("12月底", [(0, 4)]),
        ("《通报》", [(0, 4)]),  # a named output
        ("《报》", []),  # too short to name one
        ("2021年", []),  # every completion of the year could say it
        ("一批文稿", []),
        ("8大类23大项", [(0, 1), (3, 5)]),  # counts in units the vocabulary does not know
        ("1.做好工作", []),  # a paragraph number
        ("工作\n2、做好", []),
        ("做好1.2项", [(2, 5), (2, 6)]),
        ("第1.", []),
        ("\n2.做好", []),
        ("1)做好", []),
    ],
)
def test_concrete_spans(text, spans):
    assert concrete_spans(text) == spans

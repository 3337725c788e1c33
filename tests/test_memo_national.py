"""The department's letter for a national 项目支出 form: named as the form it answers, no grade it
never had, each problem with its content (a shortfall without a reason is its own ask)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.memo.letter import letter_paragraphs
from reviewer.memo.model import build_memo
from reviewer.pipeline import Options, review_file

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"


@pytest.fixture(scope="module")
def letter():
    review = review_file(CORPUS / "mof-2023-zhuxi-nutrition-sloppy.docx", Options(llm_enabled=False))
    return letter_paragraphs(build_memo(review))


def test_letter_names_the_form_it_answers(letter):
    assert "项目支出绩效自评表" in letter["title"][0] and "部门整体" not in letter["title"][0]
    assert "项目支出绩效自评表" in letter["opening"][0]


def test_no_grade_is_invented(letter):
    overall = letter["overall"][0]
    assert "未读到" not in overall and "评价等次为" not in overall


def test_every_problem_says_something(letter):
    for line in letter["problems"]:
        assert "。。" not in line and "（共0分）" not in line
    shortfall = [p for p in letter["problems"] if "偏差原因分析及改进措施栏未填写" in p]
    assert len(shortfall) == 1 and "供餐天数" in shortfall[0]
    assert any("学生及家长满意度" in p and "（共10分）" in p for p in letter["problems"])

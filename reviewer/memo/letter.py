"""The 反馈函: the department-facing letter (`--format letter`), a .docx in official layout.

标题; 称谓; 一、总体评价 (the 审核结论); 二、主要问题 (one paragraph per cause); 三、整改要求 (one
request per cause); 审核单位 and date. Everything it says is the memo model's department view:
official wording from templates/wording.yaml, no codes, each point once.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reviewer.memo.department import fill
from reviewer.memo.model import Memo, build_memo
from reviewer.memo.neutral import show_controls
from reviewer.review import Review

TITLE_FONT, HEADING_FONT, BODY_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312"
FALLBACK_FONT = "宋体"


def letter_date(date: str | None) -> str:
    """`--date` as given (YYYY-MM-DD becomes 2021年3月5日), or today."""
    if date:
        try:
            d = dt.date.fromisoformat(date.strip())
        except ValueError:
            return date.strip()
    else:
        d = dt.date.today()
    return f"{d.year}年{d.month}月{d.day}日"


def letter_paragraphs(memo: Memo, unit: str | None = None, date: str | None = None) -> dict[str, list[str]]:
    """The letter's text, part by part (also what the tests read back)."""
    wording = memo.wording
    letter = wording.get("letter") or {}
    s = memo.summary
    year = f"{s.year}年度" if s.year else ""
    department = s.department or "你单位"
    sections = letter.get("sections") or ["一、总体评价", "二、主要问题", "三、整改要求"]
    form = (letter.get("forms") or {}).get(memo.review.report.layout, letter.get("form_default", "绩效自评报告"))
    problems = [f"（{p.cn}）{p.title}。{p.statement}" for p in memo.problems]
    requests = [f"{n}. {p.request}" for n, p in enumerate(memo.problems, 1) if p.request]
    return {
        "title": [fill(letter.get("title", ""), "letter.title", department=department, year=year, form=form)],
        "salutation": [fill(letter.get("salutation", ""), "letter.salutation", department=department)],
        "opening": [fill(letter.get("opening", ""), "letter.opening", year=year, form=form)],
        "sections": sections,
        "overall": ["".join(s.conclusion)],
        "problems": problems or [(wording.get("conclusion") or {}).get("no_problems", "")],
        "requests": requests + ([letter["closing"]] if letter.get("closing") else []),
        "signature": [unit or letter.get("unit_default", ""), letter_date(date)],
    }


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FALLBACK_FONT
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(document, text: str, font: str, size: float, *, bold=False, align=None, indent=True, space_after=0):
    p = document.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    _font(p.add_run(show_controls(text)), font, size, bold)  # a bidi override from the report cannot reorder it
    return p


def render_letter(review: Review | Memo, templates: Path | None = None, unit: str | None = None, date: str | None = None) -> bytes:
    memo = review if isinstance(review, Memo) else build_memo(review, templates)
    parts = letter_paragraphs(memo, unit, date)
    document = docx.Document()
    section = document.sections[0]
    # GB/T 9704 公文: A4, margins 3.7 / 3.5 / 2.8 / 2.6 cm, 三号仿宋 body, 二号小标宋 title
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _para(document, parts["title"][0], TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=16)
    _para(document, parts["salutation"][0], BODY_FONT, 16, indent=False)
    _para(document, parts["opening"][0], BODY_FONT, 16)
    heads = parts["sections"]
    _para(document, heads[0], HEADING_FONT, 16, bold=True)
    for text in parts["overall"]:
        _para(document, text, BODY_FONT, 16)
    _para(document, heads[1], HEADING_FONT, 16, bold=True)
    for text in parts["problems"]:
        _para(document, text, BODY_FONT, 16)
    _para(document, heads[2], HEADING_FONT, 16, bold=True)
    for text in parts["requests"]:
        _para(document, text, BODY_FONT, 16)
    document.add_paragraph()
    for text in parts["signature"]:
        _para(document, text, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    core = document.core_properties
    core.title, core.author = parts["title"][0], parts["signature"][0]
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()

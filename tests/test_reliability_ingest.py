"""Regression tests for faults the malformed-input corpus (tests/malformed.py) found in ingest.

Each test builds the smallest file that showed the fault and would fail without the fix.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

import malformed as m
from reviewer.errors import InputError
from reviewer.ingest import load_report


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


class _Slow(BaseException):
    pass


def _within(seconds: float):
    """A context that fails the test (instead of hanging it) past `seconds`."""

    class Limit:
        def __enter__(self):
            def fire(*_):
                raise _Slow()

            self.old = signal.signal(signal.SIGALRM, fire)
            signal.setitimer(signal.ITIMER_REAL, seconds)
            self.start = time.perf_counter()
            return self

        def __exit__(self, kind, exc, tb):
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
            if kind is _Slow:
                pytest.fail(f"took longer than {seconds}s")
            return False

    return Limit()


def test_xml_error_with_a_nul_is_one_line(tmp_path):
    """libxml2 says "Char 0x0 out of allowed range\\n, line 2, column …": the error must stay one line."""
    xml = m.seed_xml()
    i = xml.index(b"<w:body>") + 100
    path = _write(tmp_path, "nul.docx", m.build(xml[:i] + b"\x00" + xml[i:]))
    with pytest.raises(InputError) as info:
        load_report(path)
    line = str(info.value)
    assert "\n" not in line and "\r" not in line, line
    assert "nul.docx" in line and "XML 已损坏" in line


def test_long_numbered_paragraph_with_many_spaces_is_fast(tmp_path):
    """A 综述 paragraph "一、a<200k spaces>b" made the heading regex backtrack quadratically (minutes)."""
    xml = m.seed_xml().decode("utf-8")
    anchor = "评价报告综述</w:t></w:r></w:p>"
    assert anchor in xml
    para = "<w:p><w:r><w:t xml:space='preserve'>一、a" + " " * 200_000 + "b</w:t></w:r></w:p>"
    path = _write(tmp_path, "spaces.docx", m.build(xml.replace(anchor, anchor + para, 1)))
    with _within(5):
        report = load_report(path)
    assert report.sections  # the real headings after it are still read


def _with_body_tail(tail: str) -> bytes:
    xml = m.seed_xml().decode("utf-8")
    return m.build(xml.replace("</w:body>", tail + "</w:body>", 1))


@pytest.mark.parametrize(
    "name, tail, problem",
    [
        # Millions of empty elements fit in the 64 MB document.xml cap and took minutes (a 2M-cell
        # table 27 s, 1M tables 43 s, 1M 综述 paragraphs 59 s and 5 GB): the counts are capped too.
        ("tables.docx", "<w:tbl/>" * 10_001, "个表格"),
        ("paragraphs.docx", "<w:p/>" * 200_001, "个段落"),
        ("cells.docx", "<w:tbl>" + ("<w:tr>" + "<w:tc/>" * 50 + "</w:tr>") * 4_001 + "</w:tbl>", "个单元格"),
    ],
    ids=["tables", "paragraphs", "cells"],
)
def test_element_counts_are_capped(tmp_path, name, tail, problem):
    path = _write(tmp_path, name, _with_body_tail(tail))
    with _within(20), pytest.raises(InputError) as info:
        load_report(path)
    assert name in str(info.value) and problem in str(info.value) and "文档过大" in str(info.value)


def test_ten_thousand_row_table_is_still_read(tmp_path):
    rows = "<w:tr>" + "<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>" * 8 + "</w:tr>"
    path = _write(tmp_path, "rows.docx", _with_body_tail("<w:tbl>" + rows * 10_000 + "</w:tbl>"))
    with _within(20):
        report = load_report(path)
    assert report.score_table is not None and len(report.targets) == 8


def test_overlong_narrative_is_cut_and_listed_as_unread(tmp_path):
    from reviewer.ingest.hunan_form import MAX_NARRATIVE_PARAGRAPHS

    xml = m.seed_xml().decode("utf-8")
    anchor = "评价报告综述</w:t></w:r></w:p>"
    paras = "<w:p><w:r><w:t>一、情况</w:t></w:r></w:p>" * (MAX_NARRATIVE_PARAGRAPHS + 10)
    path = _write(tmp_path, "long.docx", m.build(xml.replace(anchor, anchor + paras, 1)))
    with _within(20):
        report = load_report(path)
    assert len(report.sections) <= MAX_NARRATIVE_PARAGRAPHS
    assert any(u.part == "评价报告综述" and "段落过多" in u.reason for u in report.unread)


@pytest.mark.parametrize("style", ["alternate", "choice-only", "vml-only"])
def test_text_in_a_text_box_is_read_once(tmp_path, style):
    """Word saves a text box as mc:Choice (wps) plus an mc:Fallback (VML) copy, and the box's own
    paragraphs sit inside the anchoring one: the label was read two to four times ("联系人联系人…")
    and then not found."""
    from lxml import etree

    root = m.seed_tree()
    tc = next(tc for tc in m.all_cells(root) if m.cell_text(tc).strip() == "联系人")
    for p in tc.findall(m.W + "p"):
        tc.remove(p)

    def box_content():
        content = m.w("txbxContent")
        content.append(m.paragraph("联系人"))
        return content

    run = m.w("r")
    if style == "vml-only":
        shape = etree.SubElement(etree.SubElement(run, m.W + "pict"), f"{{{m.V_NS}}}shape")
        etree.SubElement(shape, f"{{{m.V_NS}}}textbox").append(box_content())
    else:
        ac = etree.SubElement(run, f"{{{m.MC_NS}}}AlternateContent")
        choice = etree.SubElement(ac, f"{{{m.MC_NS}}}Choice", Requires="wps")
        etree.SubElement(etree.SubElement(choice, f"{{{m.WPS_NS}}}wsp"), f"{{{m.WPS_NS}}}txbx").append(box_content())
        if style == "alternate":
            shape = etree.SubElement(etree.SubElement(etree.SubElement(ac, f"{{{m.MC_NS}}}Fallback"), m.W + "pict"), f"{{{m.V_NS}}}shape")
            etree.SubElement(shape, f"{{{m.V_NS}}}textbox").append(box_content())
    p = m.w("p")
    p.append(run)
    tc.append(p)
    report = load_report(_write(tmp_path, "box.docx", m.build(m.tostring(root))))
    seed = load_report(m.SEED_DOCX)
    assert report.contact.text == seed.contact.text and report.contact.text
    assert not any(u.part == "联系人" for u in report.unread)


@pytest.mark.parametrize(
    "raw, state, value",
    [
        ("1,234.5", "value", 1234.5),
        ("１２３", "value", 123.0),
        ("１，２３４．５", "value", 1234.5),
        ("12.3.4", "unparsed", None),
        ("5%%", "unparsed", None),
        ("—", "none", None),
        ("9" * 400, "unparsed", None),  # overflowed to inf, and the JSON memo said "value": null
    ],
)
def test_odd_figures(raw, state, value):
    from reviewer.model import Number
    from reviewer.numbers import parse_number

    n = parse_number(raw)
    assert (n.state, n.value) == (state, value)
    back = Number.model_validate_json(n.model_dump_json())
    assert (back.state, back.value) == (state, value)

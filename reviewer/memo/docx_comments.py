"""The annotated copy: the submitted .docx with a Word comment on each cell or paragraph a finding names.

Locations speak the grid reader's language (reviewer.ingest.docx_grid): tables are the body-level
w:tbl elements in document order (content controls looked through), rows are w:tr indexes, and a
column is a GRID column — a cell with gridSpan covers several, gridBefore shifts the first, and a
vertically merged cell is stored once in the row where it starts. So a grid column is mapped back
to its w:tc by walking the row's spans, and a vMerge continuation is followed up to its start.

The original file is only read. The comments are the department's view (department.py): one short
comment per item of each problem, on the cell the item is about, in the wording of
templates/wording.yaml — no codes, no echo of the cell. Items with no location ("全文") get no
comment; the memo lists them. Comments are anchored on whole runs (Word's rule); a character span narrows the anchor to the
runs that hold those characters, splitting a plain run at the span edges so the highlight is exact.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from reviewer.errors import InputError
from reviewer.ingest.docx_grid import W, body_children
from reviewer.memo.neutral import show_controls
from reviewer.model import Location

AUTHOR = "绩效审核"
_TEXT_TAGS = (f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen")


@dataclass
class Note:
    """One Word comment: where it goes and what it says."""

    location: Location
    text: str


@dataclass
class AnnotateResult:
    data: bytes
    placed: int
    unplaced: list[Note]


def notes_for(review, templates: Path | None = None) -> list[Note]:
    """The department's problems as comments, problem by problem (most points at stake first)."""
    from reviewer.memo.department import build_view

    return [Note(i.location, i.comment) for p in build_view(review, templates).problems for i in p.items if i.comment]


def initials(author: str) -> str:
    return author.strip()[:2] or "审"


class _Body:
    """Body-level paragraphs and tables, indexed the way the grid reader indexes them."""

    def __init__(self, document: Document):
        self.document = document
        self.paragraphs: list[etree._Element] = []
        self.tables: list[etree._Element] = []
        self._rows: dict[int, list[etree._Element]] = {}  # listed once: a finding per row of a long table
        for el in body_children(document.element.body):
            if el.tag == f"{W}p":
                self.paragraphs.append(el)
            elif el.tag == f"{W}tbl":
                self.tables.append(el)

    def cell(self, table: int, row: int, col: int | None) -> etree._Element | None:
        if not 0 <= table < len(self.tables):
            return None
        rows = self._rows.get(table)
        if rows is None:
            rows = self._rows[table] = self.tables[table].findall(f"{W}tr")
        if not 0 <= row < len(rows):
            return None
        if col is None:
            return _label_cell(rows[row])
        while True:
            tc = _tc_at(rows[row], col)
            if tc is None or not _continues(tc) or row == 0:
                return tc
            row -= 1  # a vMerge continuation: the text lives in the row where the merge starts


def _int_val(el: etree._Element | None, default: int) -> int:
    try:
        return int(el.get(f"{W}val")) if el is not None else default
    except (TypeError, ValueError):
        return default


def _tc_at(tr: etree._Element, col: int) -> etree._Element | None:
    trpr = tr.find(f"{W}trPr")
    start = _int_val(trpr.find(f"{W}gridBefore") if trpr is not None else None, 0)
    for tc in tr.findall(f"{W}tc"):
        pr = tc.find(f"{W}tcPr")
        span = max(1, _int_val(pr.find(f"{W}gridSpan") if pr is not None else None, 1))
        if start <= col < start + span:
            return tc
        start += span
    return None


def _continues(tc: etree._Element) -> bool:
    pr = tc.find(f"{W}tcPr")
    vm = pr.find(f"{W}vMerge") if pr is not None else None
    return vm is not None and vm.get(f"{W}val", "continue") == "continue"


def _label_cell(tr: etree._Element) -> etree._Element | None:
    """A finding about a whole row goes on the row's first cell that starts here and has text."""
    cells = tr.findall(f"{W}tc")
    own = [tc for tc in cells if not _continues(tc)]
    return next((tc for tc in own if _text(tc).strip()), own[0] if own else (cells[0] if cells else None))


def _text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def _run_text(r: etree._Element) -> str:
    parts = []
    for el in r.iter(*_TEXT_TAGS):
        if el.tag == f"{W}t":
            parts.append(el.text or "")
        elif el.tag == f"{W}tab":
            parts.append("\t")
        elif el.tag == f"{W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _runs(p: etree._Element) -> list[etree._Element]:
    # Every run under the paragraph (hyperlinks, tracked insertions, …): the grid reader counts
    # all their text, so character spans only line up if we do too.
    return list(p.iter(f"{W}r"))


def _split_run(r: etree._Element, at: int) -> etree._Element | None:
    """Split a run holding a single w:t at character `at`; returns the right half (or None)."""
    texts = [c for c in r if c.tag in _TEXT_TAGS]
    if len(texts) != 1 or texts[0].tag != f"{W}t":
        return None
    t = texts[0]
    text = t.text or ""
    if not 0 < at < len(text):
        return None
    right = copy.deepcopy(r)
    t.text = text[:at]
    right_t = next(c for c in right if c.tag == f"{W}t")
    right_t.text = text[at:]
    for node in (t, right_t):
        node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.addnext(right)
    return right


def _span_runs(paragraphs: list[etree._Element], span: tuple[int, int]) -> list[etree._Element]:
    """The runs covering characters [a, b) of the paragraphs' text joined by newlines."""
    a, b = span
    pos = 0
    chosen: list[etree._Element] = []
    for p in paragraphs:
        para_start = pos
        for r in list(_runs(p)):
            text = _run_text(r)
            start, end = pos, pos + len(text)
            pos = end
            if end <= a or start >= b or not text:
                continue
            if start < a and (right := _split_run(r, a - start)) is not None:
                r, start = right, a
                text = _run_text(r)
                end = start + len(text)
            if end > b:
                _split_run(r, b - start)
            chosen.append(r)
        # The grid reader drops trailing spaces per paragraph and joins paragraphs with "\n".
        pos = para_start + len("".join(_run_text(r) for r in _runs(p)).rstrip()) + 1
    return chosen


def _anchor(scope: list[etree._Element], span: tuple[int, int] | None) -> list[etree._Element]:
    if span is not None:
        runs = _span_runs(scope, span)
        if runs:
            return runs
    runs = [r for p in scope for r in _runs(p) if _run_text(r)]
    if runs:
        return runs
    runs = [r for p in scope for r in _runs(p)]
    if runs:
        return runs
    # An empty cell or paragraph: give it an (empty) run so the comment has something to hold.
    r = etree.SubElement(scope[0], f"{W}r")
    return [r]


def _scope(body: _Body, loc: Location) -> list[etree._Element] | None:
    """The paragraphs a location names, or None when it names nothing in this document."""
    if loc.table is not None:
        row = loc.row if loc.row is not None else 0
        tc = body.cell(loc.table, row, loc.col if loc.row is not None else 0)
        if tc is None:
            return None
        paras = list(tc.iter(f"{W}p"))  # nested tables included, as the grid reader reads a cell
        if not paras:
            paras = [etree.SubElement(tc, f"{W}p")]
        if loc.paragraph is not None and 0 <= loc.paragraph < len(paras):
            return [paras[loc.paragraph]]
        return paras
    if loc.paragraph is not None:
        if 0 <= loc.paragraph < len(body.paragraphs):
            return [body.paragraphs[loc.paragraph]]
        return None
    return None


# Word slows to a crawl past a few hundred comments, and python-docx numbers each new comment by
# scanning all the others (quadratic: 20,000 findings on a 10,000-row table took minutes). The most
# severe are placed; the rest are counted in one comment and are all in the other memo formats.
MAX_COMMENTS = 500


def annotate(docx_path: Path, notes: list[Note], author: str = AUTHOR) -> AnnotateResult:
    """Return the bytes of a commented copy of `docx_path`; the file itself is never written.

    Raises InputError when python-docx cannot open the package."""
    try:
        document = docx.Document(str(docx_path))
    except Exception as exc:
        # Ingest reads only word/document.xml; python-docx loads every part and follows the
        # relationships, so a package ingest can read may still be one it cannot open (KeyError for a
        # missing [Content_Types].xml or _rels/.rels, BadZipFile or zlib.error for a damaged part,
        # XMLSyntaxError, PackageNotFoundError, …).
        raise InputError(docx_path, f"文件包已损坏，无法生成批注版 .docx（{type(exc).__name__}）") from exc
    body = _Body(document)
    author = author.strip() or AUTHOR
    placed = 0
    unplaced: list[Note] = []
    for k, note in enumerate(notes):
        if placed == MAX_COMMENTS:
            _note_the_rest(document, body, len(notes) - k, author)
            unplaced.extend(notes[k:])
            break
        scope = _scope(body, note.location)
        if scope is None:
            unplaced.append(note)
            continue
        # For a cell, a span counts in the whole cell text; for one paragraph, in that paragraph.
        _comment(document, _anchor(scope, note.location.span), note.text, author)
        placed += 1
    buf = io.BytesIO()
    document.save(buf)
    return AnnotateResult(data=buf.getvalue(), placed=placed, unplaced=unplaced)


def _note_the_rest(document: Document, body: _Body, count: int, author: str) -> None:
    if not body.paragraphs:
        return
    text = f"另有{count}处问题未逐一批注（批注过多），详见审核反馈意见。"
    _comment(document, _anchor([body.paragraphs[0]], None), text, author)


def _comment(document: Document, runs: list[etree._Element], text: str, author: str) -> None:
    parent = runs[0].getparent()
    while parent is not None and parent.tag != f"{W}p":
        parent = parent.getparent()
    paragraph = Paragraph(parent, document._body)
    # a bidi override or control quoted from the report cannot reorder or break the comment
    document.add_comment([Run(runs[0], paragraph), Run(runs[-1], paragraph)], text=show_controls(text), author=author, initials=initials(author))

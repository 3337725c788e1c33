"""Read a .docx body into paragraphs and table grids, merges resolved.

python-docx shows a merged cell at every grid position it covers and rebuilds the cell list on
each `Table.cell()` call; a 58-row form makes that slow and full of duplicates. We read
`word/document.xml` once with lxml and build each grid ourselves: a horizontally merged cell
(`gridSpan`) and a vertically merged one (`vMerge`) are one `Cell` object placed at several
grid positions, so callers dedupe by identity.

Limits guard against hostile files: the XML part's inflated size and the grid size are capped.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from reviewer.errors import InputError
from reviewer.numbers import squash

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

MAX_DOCUMENT_XML = 64 * 1024 * 1024  # inflated bytes of word/document.xml
MAX_TOTAL_INFLATED = 256 * 1024 * 1024
MAX_GRID_COLS = 64
# Tags ("<" in the inflated XML) per part. The seed form's document.xml has ~5,000 and its
# styles.xml ~12,000; lxml spends ~110 bytes per element, so 2 million tags is ~220 MB of tree
# at worst. Every XML part is counted, not only document.xml: python-docx (the annotated copy)
# and LibreOffice parse them all.
MAX_DOCUMENT_TAGS = 2_000_000
MAX_PART_TAGS = 500_000
MAX_PART_XML = 32 * 1024 * 1024  # inflated bytes of any other XML part
XML_PARTS = (".xml", ".rels", ".vml")
# Element counts, per document. The form has ~500 cells and a few hundred paragraphs; a 64 MB
# document.xml of empty elements would otherwise mean millions of objects and minutes of work.
MAX_CELLS = 200_000  # grid positions, a merged cell counted at each
MAX_PARAGRAPHS = 200_000  # body and cell paragraphs
MAX_TABLES = 10_000


@dataclass(eq=False)  # identity is what makes a merged span one cell
class Cell:
    text: str
    table: int
    row: int  # where the cell starts (top-left of a merge)
    col: int
    paragraphs: list[str] = field(default_factory=list)
    key: str = ""  # the text squashed for label matching, computed once

    def __post_init__(self) -> None:
        self.key = squash(self.text)


@dataclass
class Grid:
    index: int  # position among the document's tables
    rows: list[list[Cell | None]]  # every row padded to ncols
    ncols: int
    header_rows: set[int] = field(default_factory=set)  # rows marked to repeat at page breaks
    _distinct: dict[int, list[tuple[int, Cell]]] = field(default_factory=dict, repr=False)

    def distinct(self, r: int) -> list[tuple[int, Cell]]:
        """The row's cells, left to right, each merged cell once, with its first grid column."""
        if r in self._distinct:
            return self._distinct[r]
        seen: set[int] = set()
        out: list[tuple[int, Cell]] = []
        for c, cell in enumerate(self.rows[r]):
            if cell is not None and id(cell) not in seen:
                seen.add(id(cell))
                out.append((c, cell))
        self._distinct[r] = out
        return out


@dataclass
class Paragraph:
    index: int  # among the body paragraphs
    text: str


@dataclass
class Body:
    blocks: list[Paragraph | Grid]

    @property
    def grids(self) -> list[Grid]:
        return [b for b in self.blocks if isinstance(b, Grid)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]


MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT = {f"{W}t", f"{W}br", f"{W}cr", f"{W}tab", f"{W}noBreakHyphen"}


def _para_text(p: etree._Element) -> str:
    """The paragraph's text; a text box anchored in it is read once, its paragraphs on new lines.

    Word saves a text box twice (mc:Choice for itself, mc:Fallback in VML for older readers): the
    fallback is skipped. Paragraphs inside the box are part of this paragraph's text.
    """
    parts: list[str] = []
    walk = etree.iterwalk(p, events=("start",))
    for _, el in walk:
        tag = el.tag
        if tag == MC_FALLBACK:
            walk.skip_subtree()
        elif tag == f"{W}t":
            parts.append(el.text or "")
        elif tag == f"{W}tab":
            parts.append("\t")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
        elif tag in _TEXT:
            parts.append("\n")
        elif tag == f"{W}p" and el is not p and parts and not parts[-1].endswith("\n"):
            parts.append("\n")
    return "".join(parts)


def _top_paragraphs(tc: etree._Element):
    """The cell's paragraphs (nested tables included), not those inside a text box or a fallback."""
    walk = etree.iterwalk(tc, events=("start",))
    for _, el in walk:
        if el.tag == f"{W}p":
            yield el
            walk.skip_subtree()  # a text box's paragraphs are read as part of this one
        elif el.tag == MC_FALLBACK:
            walk.skip_subtree()


@dataclass
class _Budget:
    """What is left of the per-document element caps; spending past one is an InputError."""

    cells: int = MAX_CELLS
    paragraphs: int = MAX_PARAGRAPHS
    tables: int = MAX_TABLES

    def spend(self, what: str, n: int = 1) -> None:
        left = getattr(self, what) - n
        setattr(self, what, left)
        if left < 0:
            limit, label = {"cells": (MAX_CELLS, "个单元格"), "paragraphs": (MAX_PARAGRAPHS, "个段落"), "tables": (MAX_TABLES, "个表格")}[what]
            raise InputError("", f"文档过大（超过 {limit} {label}），不像是一份自评报告，已拒绝")


def _cell_paragraphs(tc: etree._Element, budget: _Budget) -> list[str]:
    # Nested tables are flattened into the cell's text: the form has none, but WPS exports do.
    # Trailing spaces differ between Word, WPS and LibreOffice saves of the same form.
    out = []
    for p in _top_paragraphs(tc):
        budget.spend("paragraphs")
        out.append(_para_text(p).rstrip())
    return out


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(f"{W}val", default))
    except (TypeError, ValueError):
        return default


def _read_grid(tbl: etree._Element, index: int, budget: _Budget | None = None) -> Grid:
    budget = budget or _Budget()
    grid_el = tbl.find(f"{W}tblGrid")
    ncols = len(grid_el.findall(f"{W}gridCol")) if grid_el is not None else 0
    rows: list[list[Cell | None]] = []
    header_rows: set[int] = set()
    above: dict[int, Cell] = {}  # grid column → cell occupying it in the previous row
    for r, tr in enumerate(tbl.findall(f"{W}tr")):
        trpr = tr.find(f"{W}trPr")
        before = _int_attr(trpr.find(f"{W}gridBefore") if trpr is not None else None, 0)
        if trpr is not None and trpr.find(f"{W}tblHeader") is not None:
            header_rows.add(r)
        row: list[Cell | None] = [None] * min(before, MAX_GRID_COLS)
        col = len(row)
        for tc in tr.findall(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            span = max(1, min(_int_attr(pr.find(f"{W}gridSpan") if pr is not None else None, 1), MAX_GRID_COLS))
            vmerge = pr.find(f"{W}vMerge") if pr is not None else None
            continues = vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue"
            if col + span > MAX_GRID_COLS:
                span = max(0, MAX_GRID_COLS - col)
                if span == 0:
                    break
            cell = above.get(col) if continues else None
            if cell is None:
                # A vMerge that continues from nothing is read as a cell of its own.
                paras = _cell_paragraphs(tc, budget)
                cell = Cell(text="\n".join(paras), table=index, row=r, col=col, paragraphs=paras)
            row.extend([cell] * span)
            col += span
            budget.spend("cells", span)
        rows.append(row)
        above = {c: cell for c, cell in enumerate(row) if cell is not None}
    ncols = max([ncols, *(len(r) for r in rows)]) if rows else ncols
    ncols = min(ncols, MAX_GRID_COLS)
    for row in rows:
        row.extend([None] * (ncols - len(row)))
        del row[ncols:]
    return Grid(index=index, rows=rows, ncols=ncols, header_rows=header_rows)


def _tag_count_error(part: str, limit: int) -> str:
    return f"{part} 中的 XML 元素超过 {limit:,} 个，不像是一份自评报告（疑似 XML 炸弹），已拒绝"


MAIN_PARTS = ("word/document.xml", "content.xml")  # .docx, and .odt before LibreOffice reads it


def check_xml_parts(zf: zipfile.ZipFile, path: Path | str, skip: str = "word/document.xml") -> None:
    """Stream every XML part but `skip` and refuse the file when one inflates past the size or
    tag caps (the main part's own caps for it). Reads in chunks, so checking a bomb costs time in
    proportion to the cap, not the bomb."""
    for info in zf.infolist():
        name = info.filename
        if name == skip or not name.lower().endswith(XML_PARTS):
            continue
        main = name in MAIN_PARTS
        max_size, max_tags = (MAX_DOCUMENT_XML, MAX_DOCUMENT_TAGS) if main else (MAX_PART_XML, MAX_PART_TAGS)
        if info.file_size > max_size:
            raise InputError(path, f"{name} 解压后过大（{info.file_size // 1_000_000} MB），疑似压缩炸弹，已拒绝")
        size = tags = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    size += len(chunk)
                    tags += chunk.count(b"<")
                    if size > max_size:
                        raise InputError(path, f"{name} 解压后过大，疑似压缩炸弹，已拒绝")
                    if tags > max_tags:
                        raise InputError(path, _tag_count_error(name, max_tags))
        except InputError:
            raise
        except Exception as exc:  # zlib.error, BadZipFile, EOFError…: a damaged part
            raise InputError(path, f"{name} 已损坏，无法解压（{type(exc).__name__}）") from exc


def check_package(path: Path) -> None:
    """Every XML part of a zip package within the caps (for files LibreOffice will convert)."""
    try:
        with zipfile.ZipFile(path) as zf:
            check_xml_parts(zf, path, skip="")
    except zipfile.BadZipFile as exc:
        raise InputError(path, "文件已损坏（不是有效的 zip 包）") from exc
    except OSError as exc:
        raise InputError(path, f"无法读取文件：{exc.strerror or exc}") from exc


def read_document_xml(path: Path) -> bytes:
    """The main document part, with the archive checks that make a one-line error."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputError(path, "不是有效的 .docx 文件（文件已损坏或不是 zip 格式）") from exc
    except OSError as exc:
        raise InputError(path, f"无法读取文件：{exc.strerror or exc}") from exc
    with zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise InputError(path, "不是 Word 文档：压缩包中没有 word/document.xml")
        info = zf.getinfo("word/document.xml")
        total = sum(i.file_size for i in zf.infolist())
        if info.file_size > MAX_DOCUMENT_XML or total > MAX_TOTAL_INFLATED:
            raise InputError(path, f"文档解压后过大（{info.file_size // 1_000_000} MB），疑似压缩炸弹，已拒绝")
        try:
            with zf.open(info) as fh:
                data = fh.read(MAX_DOCUMENT_XML + 1)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError) as exc:
            # zlib.error is a subclass of Exception only; caught below by name to keep one message.
            raise InputError(path, f"文档内容已损坏，无法解压（{type(exc).__name__}）") from exc
        except Exception as exc:  # zlib.error, NotImplementedError for odd compression
            raise InputError(path, f"文档内容已损坏，无法解压（{type(exc).__name__}）") from exc
        if len(data) > MAX_DOCUMENT_XML:
            raise InputError(path, "文档解压后过大，疑似压缩炸弹，已拒绝")
        if data.count(b"<") > MAX_DOCUMENT_TAGS:
            raise InputError(path, _tag_count_error("word/document.xml", MAX_DOCUMENT_TAGS))
        check_xml_parts(zf, path)
        return data


def parse_body(xml: bytes, path: Path | str = "") -> Body:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        # libxml2 messages can span lines ("…out of allowed range\n, line 2"): the user sees one.
        detail = " ".join(str(exc.msg if getattr(exc, "msg", None) else exc).split())
        raise InputError(path, f"文档 XML 已损坏：{detail}") from exc
    body = root.find(f"{W}body")
    if body is None:
        raise InputError(path, "文档没有正文（word/document.xml 中没有 w:body）")
    blocks: list[Paragraph | Grid] = []
    n_par = n_tbl = 0
    budget = _Budget()
    try:
        # Paragraphs inside content controls (w:sdt) belong to the body flow too.
        for el in body_children(body):
            if el.tag == f"{W}p":
                budget.spend("paragraphs")
                blocks.append(Paragraph(index=n_par, text=_para_text(el)))
                n_par += 1
            elif el.tag == f"{W}tbl":
                budget.spend("tables")
                blocks.append(_read_grid(el, n_tbl, budget))
                n_tbl += 1
    except InputError as exc:
        raise InputError(path, exc.problem) from exc
    return Body(blocks=blocks)


def body_children(body: etree._Element):
    for el in body:
        if el.tag == f"{W}sdt":
            content = el.find(f"{W}sdtContent")
            if content is not None:
                yield from body_children(content)
        else:
            yield el


def read_body(path: Path) -> Body:
    return parse_body(read_document_xml(path), path)

"""Read a PDF with a text layer into the same `Body` the .docx reader gives.

pdfplumber finds the ruled tables of each page; this module rebuilds them into grids:
- columns are the x positions of the cell edges, clustered over every page of the table, so a
  page that shows fewer boundaries still lands in the same columns; rows are the y positions
  of the cell edges of each page; a merged cell is one `Cell` at every position its box covers;
- a page's first table is joined to the previous page's last one when no body text stands
  between them; in the first row of the continuation, a blank cell under a cell of the same
  columns is that cell continued (a vertical merge, or a row the page break cut), and a row
  whose text goes on from the row above is joined to it and marked as joined (`PdfBody.joined`);
- a cell's lines are joined where the PDF only wrapped them, kept apart where a line ends short
  of the cell's right edge or the next one is indented (a new paragraph);
- a box with text but without inner rules (a one-cell table, which pdfplumber drops) is kept;
- every cell and body paragraph keeps its page (`PdfBody.pages`).

pdfplumber is imported here only: `review --help` and .docx reviews never load it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.errors import InputError
from reviewer.ingest.docx_grid import MAX_CELLS, MAX_GRID_COLS, Body, Cell, Grid, Paragraph

MAX_PAGES = 500
MAX_CHARS = 2_000_000  # the seed form's 13 pages hold ~12,000
TOL = 2.0  # points: edges closer than this are the same boundary
# A line that ends this many character widths short of the right edge ends its paragraph.
SHORT_LINE_CHARS = 1.5
_SENTENCE_END = "。！？；：!?;:"
INDENT_CHARS = 1.2  # a line starting this much right of its neighbours starts a paragraph
_PAGE_NUMBER = re.compile(r"^[-－—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-－—–\s]*$")

SCAN = "这是扫描件（PDF 中没有文字层，只有图像），无法读取：请向部门索取 Word 原件（.docx）或带文字的 PDF"
ENCRYPTED = "PDF 受密码保护或已加密，无法读取：请去除密码后重试，或索取 Word 原件（.docx）"
NO_TABLES = "PDF 中没有带框线的表格，读不出自评表：请向部门索取 Word 原件（.docx）"
DAMAGED = "不是有效的 PDF 文件（文件已损坏）：请重新导出 PDF，或向部门索取 Word 原件（.docx）"


@dataclass
class Joined:
    """A cell the reader put together from two pages: where, and why it may not be right."""

    table: int
    row: int
    col: int
    page: int  # 1-based: the page the continuation was on
    text: str  # the joined cell's text, for the note
    cell: Cell | None = None


@dataclass
class PdfBody(Body):
    pages: dict[tuple[int, int], int] = field(default_factory=dict)  # (table, row) → 1-based page
    paragraph_pages: dict[int, int] = field(default_factory=dict)  # body paragraph index → page
    joined: list[Joined] = field(default_factory=list)
    page_count: int = 0


@dataclass
class _Line:
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    size: float
    lead: float = 0.0  # width of what the line must start with (see _lead_width)


_CLOSING = set("，。、；：！？）》」』】%‰,.;:!?)")
_QUOTES = set("“”‘’\"'")


def _lead_width(visible: list[dict]) -> float:
    """The width of the line's first unbreakable unit: a Latin/digit run, or one CJK char,
    with the closing punctuation that cannot start a line after it, and a quotation mark with
    the char after it."""
    if not visible:
        return 0.0
    i = 0
    if visible[0]["text"].isascii() and visible[0]["text"].isalnum():
        while i + 1 < len(visible) and visible[i + 1]["text"].isascii() and (visible[i + 1]["text"].isalnum() or visible[i + 1]["text"] in ".,%/-+"):
            i += 1
    while i + 1 < len(visible):
        nxt = visible[i + 1]["text"]
        if nxt in _QUOTES:  # no break on either side of a quotation mark (UAX #14, LB19)
            i = min(i + 2, len(visible) - 1)
        elif nxt in _CLOSING:
            i += 1
        else:
            break
    return visible[i]["x1"] - visible[0]["x0"]


@dataclass
class _Box:
    x0: float
    top: float
    x1: float
    bottom: float
    lines: list[_Line] = field(default_factory=list)

    def contains(self, x: float, y: float) -> bool:
        return self.x0 - 0.5 <= x <= self.x1 + 0.5 and self.top - 0.5 <= y <= self.bottom + 0.5


@dataclass
class _Piece:
    """One table as found on one page."""

    page: int  # 0-based
    bbox: tuple[float, float, float, float]
    cells: list[_Box]


# --- text -----------------------------------------------------------------------------------


def _lines(chars: list[dict]) -> list[_Line]:
    """Chars grouped into lines (by their vertical middle), left to right, gaps as one space."""
    chars = [c for c in chars if c.get("upright", True) and c["text"].strip() or c["text"] == " "]
    rows: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        mid = (c["top"] + c["bottom"]) / 2
        if rows:
            last = rows[-1]
            lmid = sum((x["top"] + x["bottom"]) / 2 for x in last) / len(last)
            if abs(mid - lmid) <= max(2.0, 0.35 * c["size"]):
                last.append(c)
                continue
        rows.append([c])
    out: list[_Line] = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        parts: list[str] = []
        prev = None
        for c in row:
            if prev is not None and c["x0"] - prev["x1"] > 0.5 * min(c["size"], prev["size"]) and parts and parts[-1] != " ":
                parts.append(" ")
            parts.append(c["text"])
            prev = c
        text = re.sub(r" {2,}", " ", "".join(parts)).strip()
        if not text:
            continue
        visible = [c for c in row if c["text"].strip()]
        out.append(_Line(x0=visible[0]["x0"], x1=visible[-1]["x1"], top=min(c["top"] for c in visible),
                         bottom=max(c["bottom"] for c in visible), text=text,
                         size=sorted(c["size"] for c in visible)[len(visible) // 2], lead=_lead_width(visible)))
    return out


def _join_wrapped(a: str, b: str) -> str:
    """Two wrapped lines as one: a space only between two Latin/digit runs."""
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return a + " " + b  # a Latin word wrapped at its space; digits wrap mid-number
    return a + b


_ITEM = re.compile(r"^(?:[①-⑳]|\d{1,2}[.、．](?!\d)|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|(?:目标|任务|指标)\d{1,2}[:：])")
_LEADING_ASCII = re.compile(r"^[0-9A-Za-z.,%‰+\-/]+")


def _first_unit(text: str, size: float) -> float:
    """The width of what a line must start with: a Latin or digit run is not broken, a CJK
    char takes the closing punctuation after it along."""
    run = _LEADING_ASCII.match(text)
    if run:
        return len(run.group()) * 0.55 * size
    return 2 * size


def _paragraphs(lines: list[_Line], left: float, right: float) -> list[str]:
    """Lines joined into paragraphs. A line ends its paragraph when what starts the next line
    would have fitted after it, when the next line is indented from `left`, when the next line
    starts a numbered item after a full stop, or after a gap of more than a line."""
    if not lines:
        return []
    paras: list[str] = [lines[0].text]
    for prev, line in zip(lines, lines[1:]):
        size = line.size or 10.0
        short = right - prev.x1 > (line.lead or _first_unit(line.text, size)) + 0.6 * size
        indented = line.x0 > left + INDENT_CHARS * size
        gap = line.top - prev.bottom > 0.9 * size
        item = bool(_ITEM.match(line.text)) and prev.text[-1] in "。；;：:！？!?）)"
        if short or indented or gap or item:
            paras.append(line.text)
        else:
            paras[-1] = _join_wrapped(paras[-1], line.text)
    return paras


# --- tables -----------------------------------------------------------------------------------


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= TOL:
            continue
        out.append(v)
    return out


def _index(bounds: list[float], v: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - v))


def _leftover_box(page, found: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float] | None:
    """The box drawn by rules outside the tables pdfplumber found (a one-cell table)."""
    def inside(e) -> bool:
        return any(b[0] - TOL <= e["x0"] and e["x1"] <= b[2] + TOL and b[1] - TOL <= e["top"] and e["bottom"] <= b[3] + TOL for b in found)

    edges = [e for e in page.edges if not inside(e)]
    verticals = [e for e in edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 20]
    if len(_cluster([e["x0"] for e in verticals])) < 2:
        return None
    x0 = min(e["x0"] for e in verticals)
    x1 = max(e["x1"] for e in verticals)
    top = min(e["top"] for e in verticals)
    bottom = max(e["bottom"] for e in verticals)
    if x1 - x0 < 40:
        return None
    return (x0, top, x1, bottom)


def _page_pieces(page, pno: int) -> tuple[list[_Piece], list[_Line]]:
    """The page's tables (cells with their lines) and the body lines outside them."""
    tables = page.find_tables()
    pieces: list[_Piece] = []
    for t in tables:
        boxes = [_Box(*c) for c in t.cells]
        pieces.append(_Piece(page=pno, bbox=tuple(t.bbox), cells=boxes))
    extra = _leftover_box(page, [p.bbox for p in pieces])
    if extra is not None:
        pieces.append(_Piece(page=pno, bbox=extra, cells=[_Box(*extra)]))
    pieces.sort(key=lambda p: p.bbox[1])
    outside: list[dict] = []
    cell_chars: dict[int, list[dict]] = {}
    for ch in page.chars:
        x = (ch["x0"] + ch["x1"]) / 2
        y = (ch["top"] + ch["bottom"]) / 2
        for piece in pieces:
            if not (piece.bbox[0] - 0.5 <= x <= piece.bbox[2] + 0.5 and piece.bbox[1] - 0.5 <= y <= piece.bbox[3] + 0.5):
                continue
            # the smallest box holding the char (pdfplumber's cells do not overlap, the extra box is alone)
            hit = min((b for b in piece.cells if b.contains(x, y)), key=lambda b: (b.x1 - b.x0) * (b.bottom - b.top), default=None)
            if hit is not None:
                cell_chars.setdefault(id(hit), []).append(ch)
            break
        else:
            outside.append(ch)
    for piece in pieces:
        for b in piece.cells:
            b.lines = _lines(cell_chars.get(id(b), []))
    body = [ln for ln in _lines(outside) if not _is_page_furniture(ln, page)]
    return pieces, body


def _is_page_furniture(line: _Line, page) -> bool:
    """A page number in the top or bottom margin."""
    in_margin = line.bottom < page.height * 0.1 or line.top > page.height * 0.9
    return in_margin and bool(_PAGE_NUMBER.match(line.text))


def _cell_text(box: _Box) -> list[str]:
    if not box.lines:
        return []
    left = min(ln.x0 for ln in box.lines)
    # the cell's right edge less the padding the left side shows
    pad = max(0.0, left - box.x0)
    right = box.x1 - max(pad, 1.0)
    return _paragraphs(box.lines, left, right)


@dataclass
class _Group:
    pieces: list[_Piece]


def _signed(box: _Box) -> bool:
    """The cell ends with a short line set off to the right (a signature or a date, 年 月 日):
    complete."""
    last = box.lines[-1]
    width = box.x1 - box.x0
    return last.x0 > box.x0 + 0.4 * width and last.x1 - last.x0 < 0.3 * width


def _reaches_bottom(box: _Box | None) -> bool:
    if box is None or not box.lines:
        return False
    first, last = box.lines[0], box.lines[-1]
    pad = max(0.0, first.top - box.top)
    return box.bottom - last.bottom <= pad + 2.2 * (last.size or 10.0)  # an empty paragraph may follow


_LEADING_RUN = re.compile(r"^[0-9A-Za-z.,%‰+\-]+")


def _runs_into(box: _Box | None, below: _Box | None) -> str:
    """Whether the cell's text may go on past the bottom of its box: "strong" when its last
    line, of three or more, sits at the bottom and fills the width (less the unbreakable run the box
    below starts with); "weak" for one such line; "" when it ends there."""
    if box is None or not box.lines or not _reaches_bottom(box):
        return ""
    last = box.lines[-1]
    size = last.size or 10.0
    left = min(ln.x0 for ln in box.lines)
    slack = SHORT_LINE_CHARS * size
    if below is not None and below.lines and not (last.text[-1].isascii() and last.text[-1].isalnum()):
        run = _LEADING_RUN.match(below.lines[0].text)  # a number is not broken: it moves down whole
        if run:
            slack = max(slack, (len(run.group()) * 0.55 + 1) * size)
    if last.x1 < box.x1 - max(1.0, left - box.x0) - slack:
        return ""
    if len(box.lines) >= 3:
        return "strong"
    return "weak" if last.text[-1] not in _SENTENCE_END else ""


def _build_grid(group: _Group, index: int, body: PdfBody) -> Grid:
    xs = _cluster([v for p in group.pieces for b in p.cells for v in (b.x0, b.x1)])
    ncols = max(1, min(len(xs) - 1, MAX_GRID_COLS))
    rows: list[list[Cell | None]] = []
    texts: dict[int, list[str]] = {}
    boxes: dict[int, _Box] = {}
    rowspan: dict[int, int] = {}  # rows the cell's box spans on its page
    for k, piece in enumerate(group.pieces):
        ys = _cluster([v for b in piece.cells for v in (b.top, b.bottom)])
        nrows = max(1, len(ys) - 1)
        local: list[list[Cell | None]] = [[None] * ncols for _ in range(nrows)]
        base = len(rows)
        for b in sorted(piece.cells, key=lambda b: (b.top, b.x0)):
            c0, c1 = _index(xs, b.x0), min(_index(xs, b.x1), ncols)
            r0, r1 = _index(ys, b.top), _index(ys, b.bottom)
            if c1 <= c0 or r1 <= r0:
                continue
            paras = _cell_text(b)
            cell = Cell(text="\n".join(paras), table=index, row=base + r0, col=c0, paragraphs=paras)
            texts[id(cell)] = paras
            boxes[id(cell)] = b
            rowspan[id(cell)] = r1 - r0
            for r in range(r0, r1):
                for c in range(c0, c1):
                    local[r][c] = cell
        if k > 0 and rows:
            local = _join_rows(rows, local, texts, boxes, rowspan, index, piece.page, body)
        for r, row in enumerate(local):
            body.pages[(index, len(rows))] = piece.page + 1
            rows.append(row)
    seen: set[int] = set()
    for r, row in enumerate(rows):  # where each cell starts, now that cut rows are joined
        for c, cell in enumerate(row):
            if cell is not None and id(cell) not in seen:
                seen.add(id(cell))
                cell.row, cell.col = r, c
    for j in body.joined:
        if j.table == index and j.cell is not None:
            j.row, j.col = j.cell.row, j.cell.col
    return Grid(index=index, rows=rows, ncols=ncols)


def _join_rows(rows: list[list[Cell | None]], local: list[list[Cell | None]], texts: dict[int, list[str]], boxes: dict[int, _Box], rowspan: dict[int, int], index: int, page: int, body: PdfBody) -> list[list[Cell | None]]:
    """The continuation's first row, joined to the last row above where it continues it.

    Cell by cell: a blank cell under a cell with text, or a cell with text under one whose text
    runs to the bottom of its box, is that cell continued. The row is the row above cut by the
    page break when every cell is continued, or when a cell after one with text is left blank
    (a cut row's short cells, numbers and labels, stay whole on the page before). Otherwise it
    is a new row, and only the merged levels at its left (blank) and the cells whose text ran
    over are the cells above.
    """
    above, first = rows[-1], local[0]
    cols: list[tuple[int, Cell, Cell, str]] = []  # (col, below, above, how)
    for c, cell in enumerate(first):
        up = above[c]
        if cell is None or up is None or c > 0 and first[c - 1] is cell:
            continue
        if _span(first, c) != _span(above, c):
            how = "other"  # other column boundaries: another cell, whatever it holds
        elif not cell.text.strip():
            how = "blank" if up.text.strip() else "both-blank"
        else:
            how = _runs_into(boxes.get(id(up)), boxes.get(id(cell))) or "new"
        cols.append((c, cell, up, how))
    text_cols = [c for c, _, _, how in cols if how not in ("blank", "both-blank")]
    other = any(how == "other" for *_, how in cols)  # a new row: only labels running over are joined
    if not text_cols:
        return local  # a blank row of its own (cut rows always carry some text over)
    # A long text running over in a cell of this row alone (not a merged cell spanning rows
    # above), beside cells whose text also reached their bottom: the row was cut.
    # A text of its own that ended above its cell's bottom (a new label) says: a new row.
    ended = any(how in ("new", "weak") and not _reaches_bottom(boxes.get(id(up))) for _, _, up, how in cols)
    strong = any(how == "strong" and rowspan.get(id(up), 1) == 1 for _, _, up, how in cols) and not ended
    # One cell the width of the table on both sides (a long narrative): a row that reached the
    # page's end with lines of text is taken as cut, whatever its last line looks like: joining a
    # new row to it by mistake loses less than cutting a narrative whose sections are found by
    # their headings (and the join is noted either way). A cell ending in a signature line is
    # complete.
    wide = len(cols) == 1 and _span(first, cols[0][0]) == (0, len(first) - 1) and _reaches_bottom(boxes.get(id(cols[0][2]))) \
        and len(boxes[id(cols[0][2])].lines) >= 2 and not _signed(boxes[id(cols[0][2])])
    # A cut row leaves its short cells (numbers, labels) whole on the page before: blank below,
    # where both are cells of their own row (a merged 分值 or label spanning rows shows blank
    # under a new row too).
    def own(up: Cell, cell: Cell) -> bool:
        return rowspan.get(id(up), 1) == 1 and rowspan.get(id(cell), 1) == 1

    cut_blank = any(how == "blank" and own(up, cell) for _, cell, up, how in cols) and not ended
    # Nothing of its own: every cell blank, or text running on (a one-line label that filled its
    # cell counts only where it is a merged label or the row's only text: "社会效益" under
    # "经济效益" beside a merged 评分标准 is a new row).
    all_running = all(how in ("blank", "both-blank", "strong") or how == "weak" and (not own(up, cell) or len(text_cols) == 1)
                      for _, cell, up, how in cols)
    split = not other and (cut_blank or strong or wide or all_running)
    replace: dict[int, Cell] = {}
    for c, cell, up, how in cols:
        merged = rowspan.get(id(up), 1) > 1 or rowspan.get(id(cell), 1) > 1  # a label spanning rows
        if split or how == "strong" or how == "weak" and merged or how == "blank" and c < text_cols[0]:
            if how not in ("blank", "both-blank"):
                had_text = bool(up.text.strip())
                _append(up, cell, texts, boxes)
                if had_text:
                    body.joined.append(Joined(table=index, row=up.row, col=up.col, page=page + 1, text=up.text, cell=up))
            replace[id(cell)] = up
    out = [[replace.get(id(x), x) if x is not None else None for x in row] for row in local]
    if split:
        out = out[1:]  # the first row was the row above, cut by the page break
    return out


def _wraps(above: _Box | None, below: _Box | None) -> bool:
    """The paragraph ending the box above goes on in the box below (same rules as in a cell)."""
    if above is None or below is None or not above.lines or not below.lines:
        return True
    last, nxt = above.lines[-1], below.lines[0]
    size = nxt.size or 10.0
    left = min(ln.x0 for ln in above.lines)
    right = above.x1 - max(1.0, left - above.x0)
    fits = right - last.x1 > (nxt.lead or _first_unit(nxt.text, size)) + 0.6 * size  # it would have fitted
    item = bool(_ITEM.match(nxt.text)) and last.text[-1] in "。；;：:！？!?）)"
    return not fits and not item and nxt.x0 <= min(ln.x0 for ln in below.lines) + INDENT_CHARS * size


def _append(up: Cell, cell: Cell, texts: dict[int, list[str]], boxes: dict[int, _Box]) -> None:
    """The text of `cell` (the continuation) added to the end of `up`'s."""
    a, b = texts.get(id(up), []), texts.get(id(cell), [])
    if a and b and _wraps(boxes.get(id(up)), boxes.get(id(cell))):
        joined = a[:-1] + [_join_wrapped(a[-1], b[0])] + b[1:]
    else:
        joined = a + b
    up.paragraphs = joined
    up.text = "\n".join(joined)
    up.__post_init__()
    texts[id(up)] = joined
    if id(cell) in boxes:
        boxes[id(up)] = boxes[id(cell)]  # where its text now ends, for the next page


def _span(row: list[Cell | None], c: int) -> tuple[int, int]:
    cell = row[c]
    lo = c
    while lo > 0 and row[lo - 1] is cell:
        lo -= 1
    hi = c
    while hi + 1 < len(row) and row[hi + 1] is cell:
        hi += 1
    return lo, hi


# --- the document -----------------------------------------------------------------------------


def _open(path: Path):
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise InputError(path, "读取 PDF 需要 pdfplumber：pip install pdfplumber") from exc
    try:
        pdf = pdfplumber.open(path)
        pdf.pages  # noqa: B018 - parses the page tree, where damage shows
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise InputError(path, ENCRYPTED) from exc
    except PDFSyntaxError as exc:
        raise InputError(path, DAMAGED) from exc
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower():
            raise InputError(path, ENCRYPTED) from exc
        raise InputError(path, DAMAGED) from exc
    # A PDF encrypted with an owner password only (no copying, no printing: common for published
    # reports) opens with the empty user password, and its text is read like any other.
    return pdf


def read_pdf(path: Path) -> PdfBody:
    pdf = _open(path)
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise InputError(path, f"PDF 页数过多（{len(pdf.pages)} 页，上限 {MAX_PAGES}），不像是一份自评报告，已拒绝")
        try:
            pages = []
            chars = 0
            for n, page in enumerate(pdf.pages):
                chars += len(page.chars)
                if chars > MAX_CHARS:
                    raise InputError(path, f"PDF 文字过多（超过 {MAX_CHARS:,} 个字符），不像是一份自评报告，已拒绝")
                pages.append(_page_pieces(page, n))
        except InputError:
            raise
        except Exception as exc:
            raise InputError(path, f"PDF 内容已损坏，无法读取（{type(exc).__name__}）") from exc
    if not any(lines or any(b.lines for p in pieces for b in p.cells) for pieces, lines in pages):
        raise InputError(path, SCAN)
    body = PdfBody(blocks=[], page_count=len(pages))
    # The document in reading order: body lines and tables, page by page, top to bottom.
    items: list[tuple[int, str, object]] = []
    for pno, (pieces, lines) in enumerate(pages):
        seq = [(ln.top, "line", ln) for ln in lines] + [(p.bbox[1], "piece", p) for p in pieces]
        seq.sort(key=lambda t: t[0])
        items.extend((pno, kind, obj) for _, kind, obj in seq)
    groups: list[_Group] = []
    para_lines: list[tuple[int, _Line]] = []
    blocks: list[object] = []
    prev_kind = None
    prev_page = -1
    for pno, kind, obj in items:
        if kind == "piece":
            if prev_kind == "piece" and pno != prev_page and groups and blocks and blocks[-1] is groups[-1]:
                groups[-1].pieces.append(obj)
            else:
                if para_lines:
                    blocks.append(list(para_lines))
                    para_lines = []
                groups.append(_Group(pieces=[obj]))
                blocks.append(groups[-1])
        else:
            para_lines.append((pno, obj))
        prev_kind, prev_page = kind, pno
    if para_lines:
        blocks.append(list(para_lines))
    if not groups:
        raise InputError(path, NO_TABLES)
    n_par = n_tbl = 0
    spent = 0
    for blk in blocks:
        if isinstance(blk, _Group):
            grid = _build_grid(blk, n_tbl, body)
            spent += len(grid.rows) * grid.ncols
            if spent > MAX_CELLS:
                raise InputError(path, f"文档过大（超过 {MAX_CELLS} 个单元格），不像是一份自评报告，已拒绝")
            body.blocks.append(grid)
            n_tbl += 1
        else:
            for pno, text in _body_paragraphs(blk):
                body.blocks.append(Paragraph(index=n_par, text=text))
                body.paragraph_pages[n_par] = pno + 1
                n_par += 1
    return body


def _body_paragraphs(lines: list[tuple[int, _Line]]) -> list[tuple[int, str]]:
    """Body lines as paragraphs, page by page (a paragraph cut by a page break stays two)."""
    out: list[tuple[int, str]] = []
    by_page: dict[int, list[_Line]] = {}
    for pno, ln in lines:
        by_page.setdefault(pno, []).append(ln)
    for pno, page_lines in by_page.items():
        left = min(ln.x0 for ln in page_lines)
        right = max(ln.x1 for ln in page_lines)
        out.extend((pno, p) for p in _paragraphs(page_lines, left, right))
    return out


# --- parity with the .docx reader ---------------------------------------------------------------


def cell_agreement(docx: Body, pdf: Body) -> tuple[int, int, list[tuple[int, int, int, str, str]]]:
    """How many of the .docx reader's cells (each merged cell once, with its top-left position)
    the PDF reader yields at the same table, row and column with the same text, whitespace
    ignored. Returns (equal, total, the differing ones as (table, row, col, docx, pdf))."""
    from reviewer.numbers import squash

    equal = total = 0
    diffs: list[tuple[int, int, int, str, str]] = []
    pgrids = pdf.grids
    for g in docx.grids:
        seen: set[int] = set()
        for r, row in enumerate(g.rows):
            for c, cell in enumerate(row):
                if cell is None or id(cell) in seen:
                    continue
                seen.add(id(cell))
                total += 1
                other = ""
                if g.index < len(pgrids) and cell.row < len(pgrids[g.index].rows) and c < pgrids[g.index].ncols:
                    found = pgrids[g.index].rows[cell.row][c]
                    other = found.text if found is not None else ""
                if squash(other) == squash(cell.text):
                    equal += 1
                else:
                    diffs.append((g.index, cell.row, c, cell.text, other))
    return equal, total, diffs


# --- pages on the report ----------------------------------------------------------------------------


def locate(report, body: PdfBody):
    """The report with every location given its page, and a note for each cell joined across a
    page break (the reader could not be sure it joined it right)."""
    from pydantic import BaseModel

    from reviewer.model import Location, Unread

    def page_of(loc: Location) -> int | None:
        if loc.table is not None and loc.row is not None:
            return body.pages.get((loc.table, loc.row))
        if loc.table is None and loc.paragraph is not None:
            return body.paragraph_pages.get(loc.paragraph)
        return None

    def walk(node) -> None:
        if isinstance(node, Location):
            if node.page is None:
                node.page = page_of(node)
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name))
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)

    by_break: dict[tuple[int, int, int], list[Joined]] = {}
    for j in body.joined:
        by_break.setdefault((j.page, j.table, j.row), []).append(j)
    for (page, table, row), cells in by_break.items():
        cols = "、".join(f"第{j.col + 1}列" for j in sorted(cells, key=lambda j: j.col))
        report.unread.append(Unread(
            code="input.pdf_join",
            part=f"第{page - 1}–{page}页跨页的表格行",
            reason=f"表{table + 1}第{row + 1}行被分页截断，已把第{page}页上{cols}的续文接在上一页之后；"
                   "PDF 不标明两段是否属于同一单元格，接续可能有误",
            location=Location(table=table, row=row, col=cells[0].col, page=page - 1),
        ))
    walk(report)
    return report
